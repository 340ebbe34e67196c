import { describe, expect, it } from 'vitest';
import { GoTestJsonReader, parseGoTestJson } from './go-test-json.js';

const ev = (e: Record<string, unknown>) => `${JSON.stringify({ Package: 'p', ...e })}\n`;

describe('go test -json (test2json) reading', () => {
  it('one case per TestConformance subtest; a deeper subtest is part of its test, and only the test\'s own end counts', () => {
    const run = parseGoTestJson(
      [
        ev({ Action: 'run', Test: 'TestConformance' }),
        ev({ Action: 'run', Test: 'TestConformance/MeshHTTPRouteMatching' }),
        ev({ Action: 'run', Test: 'TestConformance/MeshHTTPRouteMatching/0_request' }),
        ev({ Action: 'output', Test: 'TestConformance/MeshHTTPRouteMatching/0_request', Output: 'got 404\n' }),
        ev({ Action: 'fail', Test: 'TestConformance/MeshHTTPRouteMatching/0_request', Elapsed: 1 }),
        ev({ Action: 'fail', Test: 'TestConformance/MeshHTTPRouteMatching', Elapsed: 2.5 }),
        ev({ Action: 'run', Test: 'TestConformance/MeshBasic' }),
        ev({ Action: 'pass', Test: 'TestConformance/MeshBasic', Elapsed: 0.25 }),
        ev({ Action: 'run', Test: 'TestConformance/MeshPorts' }),
        ev({ Action: 'skip', Test: 'TestConformance/MeshPorts', Elapsed: 0 }),
        ev({ Action: 'fail', Test: 'TestConformance', Elapsed: 3 }),
        ev({ Action: 'fail', Elapsed: 3.1 }),
      ].join(''),
    );
    expect(run.cases.map((c) => [c.name, c.status, c.elapsedMs])).toEqual([
      ['MeshHTTPRouteMatching', 'fail', 2500],
      ['MeshBasic', 'pass', 250],
      ['MeshPorts', 'skip', 0],
    ]);
    expect(run.cases[0]!.output).toEqual(['got 404\n']);
    expect(run.top).toMatchObject({ name: 'TestConformance', status: 'fail', elapsedMs: 3000 });
    expect(run.packageStatus).toBe('fail');
  });

  it('keeps lines that are not events, joins events split across chunks, and leaves unfinished tests incomplete', () => {
    const lines: string[] = [];
    const reader = new GoTestJsonReader((l) => lines.push(l));
    const text = 'go: downloading go1.26.0 (linux/amd64)\n' + ev({ Action: 'run', Test: 'TestConformance/MeshBasic' }) + ev({ Action: 'output', Test: 'TestConformance/MeshBasic', Output: '=== RUN   TestConformance/MeshBasic\n' });
    for (let i = 0; i < text.length; i += 7) reader.write(text.slice(i, i + 7));
    reader.end();
    const run = reader.run();
    expect(run.cases).toEqual([{ name: 'MeshBasic', status: 'incomplete', elapsedMs: 0, output: ['=== RUN   TestConformance/MeshBasic\n'] }]);
    expect(lines).toEqual(['go: downloading go1.26.0 (linux/amd64)', '=== RUN   TestConformance/MeshBasic']);
    expect(run.tail).toEqual(lines);
  });
});
