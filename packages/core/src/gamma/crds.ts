import { readFile } from 'node:fs/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { infraError, inputError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../cluster/platform.js';
import { downloadVerified, type DownloadContext } from '../download/download-verified.js';
import { githubReleaseUrl } from '../download/mirror.js';
import { describeError, type KubeClient } from '../kube/client.js';
import { GATEWAY_API_REPO, type GatewayApiChannel } from './versions.js';

/**
 * The Gateway API CRDs of the pinned version and channel, from the release's own install manifest
 * (`standard-install.yaml` / `experimental-install.yaml`, the concatenation of config/crd/<channel>/).
 * The release publishes no checksum file, so the bytes are checked against the sha256 GitHub's
 * Releases API reports for the asset, read at run time (download/github-release.ts). The manifest
 * also holds the ValidatingAdmissionPolicy `safe-upgrades` and its Binding
 * (admissionregistration.k8s.io/v1, served from Kubernetes 1.30). Objects go in with server-side
 * apply, as upstream's install instructions say (`kubectl apply --server-side`): the CRDs are too
 * big for client-side apply's last-applied annotation.
 */
const BUNDLE_VERSION_ANNOTATION = 'gateway.networking.k8s.io/bundle-version';
const CHANNEL_ANNOTATION = 'gateway.networking.k8s.io/channel';

function installAsset(version: string, channel: GatewayApiChannel) {
  return { repo: GATEWAY_API_REPO, tag: version, asset: `${channel}-install.yaml` };
}

export interface CrdInstallContext {
  kube: KubeClient;
  version: string;
  channel: GatewayApiChannel;
  download: DownloadContext;
  platform: Platform;
  logger: Logger;
}

/** Downloads, verifies and applies the install manifest; returns how many objects it applied. */
export async function installGatewayApiCrds(ctx: CrdInstallContext): Promise<number> {
  const ref = installAsset(ctx.version, ctx.channel);
  const url = githubReleaseUrl(ref.repo, ref.tag, ref.asset, ctx.download.mirror);
  const file = await downloadVerified(
    { toolName: 'gateway-api', version: ctx.version, arch: ctx.platform.arch, url, binaryName: ref.asset, githubDigest: ref },
    ctx.download,
  );
  ctx.logger.info(`Gateway API ${ctx.version} ${ctx.channel}: ${ref.asset} ${file.fromCache ? 'from the tool cache' : 'downloaded'}, verified by ${file.verifiedBy} (sha256 ${file.sha256 ?? 'recorded in the cache'})`);
  const objects = (yaml.loadAll(await readFile(file.path, 'utf8')) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => !!o && typeof o === 'object' && !!o.kind);
  for (const obj of objects) {
    try {
      await ctx.kube.apply(obj);
    } catch (error) {
      const d = describeError(error);
      const vap = obj.kind?.startsWith('ValidatingAdmissionPolicy')
        ? ' (ValidatingAdmissionPolicy is served from Kubernetes 1.30 on: run GAMMA on a 1.30 or newer cluster)'
        : '';
      throw infraError(`could not apply ${obj.kind} ${obj.metadata?.name} from ${ref.asset}: ${d.message}${vap}`, { cause: error });
    }
  }
  ctx.logger.info(`applied ${objects.length} objects from ${ref.asset} (server-side apply)`);
  return objects.length;
}

export interface InstalledGatewayApi {
  version: string;
  channel: string;
  crds: string[];
}

/** Reads the bundle version and channel the cluster's Gateway API CRDs carry (as the suite does). */
export async function installedGatewayApi(kube: KubeClient): Promise<InstalledGatewayApi | undefined> {
  const list = await kube.apiext.listCustomResourceDefinition();
  const gw = list.items.filter((c) => c.metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION] !== undefined || c.metadata?.annotations?.[CHANNEL_ANNOTATION] !== undefined);
  if (gw.length === 0) return undefined;
  const versions = [...new Set(gw.map((c) => c.metadata?.annotations?.[BUNDLE_VERSION_ANNOTATION] ?? '(none)'))].sort();
  const channels = [...new Set(gw.map((c) => c.metadata?.annotations?.[CHANNEL_ANNOTATION] ?? '(none)'))].sort();
  return { version: versions.join(', '), channel: channels.join(', '), crds: gw.map((c) => c.metadata?.name ?? '') };
}

/**
 * The check the suite makes before running (conformance/utils/suite/suite.go, getAPIVersionAndChannel),
 * made first so the user gets a sentence rather than a Go test failure: every Gateway API CRD must carry
 * the suite's version. A mismatch is an input error unless allow_crds_mismatch is set.
 */
export function checkCrdVersion(found: InstalledGatewayApi | undefined, version: string, channel: GatewayApiChannel, allowMismatch: boolean, logger: Logger): void {
  if (!found) throw inputError(`the cluster has no Gateway API CRDs with ${BUNDLE_VERSION_ANNOTATION} annotations; let meshspec install them (install_crds: true) or install ${version} ${channel} yourself`);
  const problems: string[] = [];
  if (found.version !== version) problems.push(`the cluster's Gateway API CRDs are ${found.version}, the suite is ${version}`);
  if (found.channel !== channel) problems.push(`their channel is ${found.channel}, gateway_api_channel is ${channel}`);
  if (problems.length === 0) {
    logger.info(`Gateway API CRDs: ${found.version} ${found.channel} (${found.crds.length} CRDs), matching the suite`);
    return;
  }
  if (allowMismatch) {
    logger.warn(`${problems.join('; ')}: going on because allow_crds_mismatch is set; the report will say UNDEFINED for the version and channel, and upstream will not accept it`);
    return;
  }
  throw inputError(`${problems.join('; ')}. The suite refuses CRDs of another version; set gateway_api_version to ${found.version.split(', ')[0]} (and gateway_api_channel to match), or let meshspec install the CRDs`);
}
