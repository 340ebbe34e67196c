/** Mesh lifecycle: the registry, one installer per mesh, and ensure/teardown. */
export { MESHES, findMesh, requireMesh, type MeshInfo, type SmiSpecName } from './registry.js';
export { ensureMesh, teardownMesh, installableMeshes, type EnsureMeshOptions, type EnsuredMesh, type MeshState, type MeshDownloadOptions, type MeshTeardownOptions } from './ensure.js';
export { MeshInstaller, type Step, type SmiExtra, type ToolRequirement, type InstallContext } from './installer.js';
export { deploymentVersion, imageTag, type ControlPlaneSpec, type DeploymentRef } from './control-plane.js';
