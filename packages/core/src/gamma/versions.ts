import { inputError } from '../errors.js';

/**
 * Gateway API releases the GAMMA run knows. The suite, the CRDs and the report must all be of one
 * release: the suite refuses CRDs whose gateway.networking.k8s.io/bundle-version differs from its
 * own pkg/consts.BundleVersion (conformance/utils/suite/suite.go, getAPIVersionAndChannel).
 */
export const DEFAULT_GATEWAY_API_VERSION = 'v1.6.1';
export const GATEWAY_API_REPO = 'kubernetes-sigs/gateway-api';
export type GatewayApiChannel = 'standard' | 'experimental';

/**
 * The `go` line of the gateway-api modules per minor (go.mod, and conformance/go.mod from v1.5 on,
 * at v1.4.0 … v1.6.1): the Go the suite needs. An unknown version leaves the choice to GOTOOLCHAIN=auto.
 */
const GO_BY_MINOR: Record<string, string> = { 'v1.4': '1.24.0', 'v1.5': '1.25.0', 'v1.6': '1.26.0' };

/**
 * The echo images the mesh tests pull (conformance/mesh/manifests.yaml and the mesh test manifests),
 * preloaded into minikube by e2e.yml so the suite does not wait on registry pulls.
 */
export const SUITE_IMAGES: Record<string, string[]> = {
  'v1.6': ['registry.k8s.io/gateway-api/echo-advanced:v1.5.1', 'registry.k8s.io/gateway-api/echo-basic:v1.5.1'],
};

const VERSION = /^v(\d+)\.(\d+)\.(\d+)$/;

/** `gateway_api_version`: a release tag vX.Y.Z from v1.1.0 on (the first with MESH-HTTP/MESH-GRPC). */
export function checkGatewayApiVersion(text: string | undefined, where: string): string {
  const v = (text ?? '').trim() || DEFAULT_GATEWAY_API_VERSION;
  const m = VERSION.exec(v);
  if (!m || Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < 1)) {
    throw inputError(`${where}: "${v}" is not a Gateway API release the mesh suite can run; use a tag such as ${DEFAULT_GATEWAY_API_VERSION} (v1.1.0 or newer)`);
  }
  return v;
}

export function checkChannel(text: string | undefined, where: string): GatewayApiChannel {
  const c = (text ?? '').trim() || 'standard';
  if (c !== 'standard' && c !== 'experimental') throw inputError(`${where}: "${c}" is not a Gateway API channel; use standard or experimental`);
  return c;
}

const minorOf = (version: string) => /^v\d+\.\d+/.exec(version)?.[0] ?? version;

export function requiredGo(version: string): string | undefined {
  return GO_BY_MINOR[minorOf(version)];
}

/** Since v1.5.0 conformance/ is its own module, `sigs.k8s.io/gateway-api/conformance` (tags conformance/vX.Y.Z). */
export function hasConformanceModule(version: string): boolean {
  const m = VERSION.exec(version);
  return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 5);
}

/**
 * GAMMA clusters run Kubernetes 1.30 or newer: the install manifests carry a ValidatingAdmissionPolicy
 * and Binding (admissionregistration.k8s.io/v1, GA in 1.30), which older servers do not serve.
 */
const GAMMA_MIN_KUBERNETES_MINOR = 30;

export function checkGammaKubernetes(version: string | undefined, where: string): void {
  if (!version) return;
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (m && (Number(m[1]) < 1 || (Number(m[1]) === 1 && Number(m[2]) < GAMMA_MIN_KUBERNETES_MINOR))) {
    throw inputError(`${where}: ${version} is too old for GAMMA: the Gateway API install manifests need Kubernetes 1.${GAMMA_MIN_KUBERNETES_MINOR} or newer (ValidatingAdmissionPolicy, admissionregistration.k8s.io/v1); use e.g. v1.35.1 or leave it empty`);
  }
}
