import type { Logger } from '../../log.js';
import type { LoadGenerator, LoadPlan, LoadRun } from '../loadgen/types.js';
import type { MeasuredRuns, NoiseControl } from '../repeats.js';
import { SIDE_TITLE, type OverheadSide } from './sides.js';

/**
 * The measured windows of a comparison as alternating pairs: plain then meshed, then meshed then
 * plain, and so on, so that whatever drifts over the run (a neighbour on the node, a cache warming,
 * a throttled CPU) falls on both sides alike. With `repeat` N there are N pairs; the warm-up runs
 * once per side and is thrown away. Each side's windows are later merged exactly as repeats are
 * (smp/repeats.ts buildMeasuredResult).
 */
export interface PairedRuns {
  plain: MeasuredRuns;
  meshed: MeasuredRuns;
  /** The sides in the order their windows ran. */
  order: OverheadSide[];
  cancelled: boolean;
}

/** Told when a measured window of a side starts and ends (the resource sampler watches the meshed ones). */
export type WindowListener = (side: OverheadSide, event: 'start' | 'end') => void;

export function pairOrder(pair: number): OverheadSide[] {
  return pair % 2 === 1 ? ['plain', 'meshed'] : ['meshed', 'plain'];
}

export async function measurePairs(
  generators: Record<OverheadSide, LoadGenerator>,
  plans: Record<OverheadSide, LoadPlan>,
  noise: NoiseControl,
  logger: Logger,
  onWindow?: WindowListener,
): Promise<PairedRuns> {
  const runs: Record<OverheadSide, LoadRun[]> = { plain: [], meshed: [] };
  const warmupS: Record<OverheadSide, number> = { plain: 0, meshed: 0 };
  const order: OverheadSide[] = [];
  const done = (cancelled: boolean): PairedRuns => ({
    plain: { runs: runs.plain, warmupS: warmupS.plain, cancelled },
    meshed: { runs: runs.meshed, warmupS: warmupS.meshed, cancelled },
    order,
    cancelled,
  });
  if (noise.warmupMs > 0) {
    for (const side of pairOrder(1)) {
      logger.info(`warm-up ${SIDE_TITLE[side]}: ${noise.warmupMs / 1000} s, left out of every figure`);
      const warm = await generators[side].run({ ...plans[side], durationMs: noise.warmupMs });
      warmupS[side] = warm.durationS;
      if (warm.cancelled) return done(true);
    }
  }
  for (let pair = 1; pair <= noise.repeat; pair++) {
    for (const side of pairOrder(pair)) {
      logger.info(`pair ${pair} of ${noise.repeat}: ${SIDE_TITLE[side]}`);
      onWindow?.(side, 'start');
      let run: LoadRun;
      try {
        run = await generators[side].run(plans[side]);
      } finally {
        onWindow?.(side, 'end');
      }
      runs[side].push(run);
      order.push(side);
      if (run.cancelled) return done(true);
    }
  }
  return done(false);
}
