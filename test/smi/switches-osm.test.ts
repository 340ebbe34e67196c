import { describe } from 'vitest';
import { SWITCHES } from '../support/fake-cluster/mesh/index.mjs';
import { switchTest } from './switch-expectations.js';

/**
 * Every switch combined with the OSM profile. OSM v1.2.4 serves no metrics.smi-spec.io API, so the
 * three metrics switches meet a traffic-metrics spec that already fails at its first step.
 */
describe('the SMI suite catches every broken rule on the OSM profile, under random balancing', () => {
  for (const name of SWITCHES as string[]) switchTest(name, 'osm');
});
