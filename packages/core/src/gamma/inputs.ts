import { inputError } from '../errors.js';
import { requireMesh, type MeshInfo } from '../mesh/registry.js';
import { resolveSuiteSettings, type GammaOverrides } from './suite-flags.js';
import { checkChannel, checkGatewayApiVersion, type GatewayApiChannel } from './versions.js';

/**
 * The settings of a GAMMA run, named as gamma-conformance-action's inputs; `meshspec gamma run`
 * takes the same as flags (`gateway_api_version` is `--gateway-api-version`, `gateway_api_channel`
 * is `--channel`). One place turns them into typed options and back into the Reproduce workflow.
 */
export interface GammaInputs {
  service_mesh: string;
  mesh_version?: string;
  mesh_deployed?: boolean;
  gateway_api_version?: string;
  gateway_api_channel?: string;
  install_crds?: boolean;
  require_success?: boolean;
  overrides: GammaOverrides;
}

export interface CheckedGammaInputs {
  mesh: MeshInfo;
  meshVersion?: string;
  meshDeployed: boolean;
  gatewayApiVersion: string;
  channel: GatewayApiChannel;
  installCrds: boolean;
  requireSuccess: boolean;
  overrides: GammaOverrides;
}

/** `where(name)` spells an input for messages: `input gateway_api_version` or `--gateway-api-version`. */
export function checkGammaInputs(i: GammaInputs, where: (input: string) => string): CheckedGammaInputs {
  if (!i.service_mesh.trim()) throw inputError(`${where('service_mesh')} is required: name the mesh under test, e.g. istio or linkerd`);
  const mesh = requireMesh(i.service_mesh, where('service_mesh'));
  if (!mesh.gamma) {
    throw inputError(`${where('service_mesh')}: ${mesh.displayName} has no GAMMA settings in meshspec; GAMMA runs know ${gammaMeshes().join(', ')}`);
  }
  // Every list and field is checked now, before a cluster or mesh is touched; the version comes later.
  resolveSuiteSettings(mesh, i.overrides, i.mesh_version?.trim() || 'to-be-installed', where);
  return {
    mesh,
    meshVersion: i.mesh_version?.trim() || undefined,
    meshDeployed: i.mesh_deployed === true,
    gatewayApiVersion: checkGatewayApiVersion(i.gateway_api_version, where('gateway_api_version')),
    channel: checkChannel(i.gateway_api_channel, where('gateway_api_channel')),
    installCrds: i.install_crds !== false,
    requireSuccess: i.require_success === true,
    overrides: i.overrides,
  };
}

export function gammaMeshes(): string[] {
  return ['istio', 'linkerd', 'cilium'].filter((id) => requireMesh(id, 'registry').gamma);
}

/** The inputs a workflow needs to repeat this run (the mesh version as installed or found). */
export function reproduceInputs(i: CheckedGammaInputs, meshVersion: string | undefined): Record<string, string | undefined> {
  const o = i.overrides;
  return {
    service_mesh: i.mesh.id,
    mesh_version: meshVersion ?? i.meshVersion,
    ...(i.meshDeployed ? { mesh_deployed: 'true' } : {}),
    gateway_api_version: i.gatewayApiVersion,
    gateway_api_channel: i.channel,
    profiles: o.profiles,
    supported_features: o.supported_features,
    exempt_features: o.exempt_features,
    skip_tests: o.skip_tests,
    organization: o.organization,
    project: o.project,
    url: o.url,
    version: o.version,
    contact: o.contact,
    mode: o.mode,
  };
}
