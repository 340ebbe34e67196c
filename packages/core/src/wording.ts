/**
 * How a setting is named where the user set it (issue 11): a CLI user is told about flags and
 * commands, an action user about inputs. Core messages that suggest a fix take one of these.
 */
export interface Wording {
  /** Where the kubeconfig is given. */
  kubeconfig: string;
  /** How to get a cluster. */
  startCluster: string;
  /** The mesh is already there: do not install it. */
  meshDeployed: string;
  /** Let meshspec install the mesh. */
  meshNotDeployed: string;
  /** Keep a failed publish to a warning. */
  publishFailureWarn: string;
  providerDeadline: string;
  /** Send the other JSON casing. */
  providerCasingOther: string;
  /** Where the provider's base URL is given. */
  providerUrl: string;
  /** Send the decoded access token, or the whole token. */
  providerTokenModeAccess: string;
  providerTokenModeToken: string;
  /** Three measured windows (a mesh overhead comparison: three pairs). */
  repeatThree: string;
  /** A warm-up window before the measured ones. */
  warmup: string;
}

export const CLI_WORDING: Wording = {
  kubeconfig: '--kubeconfig',
  startCluster: 'start one with meshspec cluster up',
  meshDeployed: 'pass --mesh-deployed',
  meshNotDeployed: 'leave out --mesh-deployed',
  publishFailureWarn: 'pass --publish-failure warn',
  providerDeadline: '--provider-deadline',
  providerCasingOther: '--provider-casing snake (or camel)',
  providerUrl: '--provider-url',
  providerTokenModeAccess: '--provider-token-mode access_token',
  providerTokenModeToken: '--provider-token-mode token',
  repeatThree: '--repeat 3',
  warmup: '--warmup 10s',
};

export const ACTION_WORDING: Wording = {
  kubeconfig: 'input kubeconfig',
  startCluster: 'use cluster: minikube',
  meshDeployed: 'set mesh_deployed: true',
  meshNotDeployed: 'set mesh_deployed: false',
  publishFailureWarn: 'set publish_failure: warn',
  providerDeadline: 'provider_deadline',
  providerCasingOther: 'provider_casing: snake (or camel)',
  providerUrl: 'provider_url',
  providerTokenModeAccess: 'provider_token_mode: access_token',
  providerTokenModeToken: 'provider_token_mode: token',
  repeatThree: 'repeat: 3',
  warmup: 'warmup: 10s',
};
