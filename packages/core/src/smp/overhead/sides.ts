/**
 * Mesh overhead (issue 12, part 3): the same profile against two copies of one service, one in a
 * namespace the mesh injects and one it leaves alone, with the same load pods in each.
 */

export type OverheadSide = 'plain' | 'meshed';

/** Where each copy runs; fixed names, so a leftover from a cancelled run is found and removed by the next. */
export const OVERHEAD_NAMESPACES: Readonly<Record<OverheadSide, string>> = {
  meshed: 'meshspec-overhead-meshed',
  plain: 'meshspec-overhead-plain',
};

/** On every object the comparison creates, so a reader of the cluster knows whose it is. */
export const OVERHEAD_SIDE_LABEL = 'meshspec.io/overhead-side';

/** The name of a side for people: the summary's columns and the log. */
export const SIDE_TITLE: Readonly<Record<OverheadSide, string>> = { plain: 'without mesh', meshed: 'with mesh' };
