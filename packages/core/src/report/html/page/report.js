// The report page's script (embedded into report.html by scripts/embed-page-assets.mjs). It reads
// the chart descriptions from the page's JSON block, draws each with uPlot, and publishes what it
// drew in window.__meshspec = {charts: {<id>: {points, ...}}, tables: {<id>: {columns, rows}}} so
// a browser test can compare the page with the result files. It requests nothing.
(function () {
  'use strict';
  var dataNode = document.getElementById('meshspec-data');
  var spec = JSON.parse((dataNode && dataNode.textContent) || '{"charts":[]}');
  var state = { charts: {}, tables: {} };
  window.__meshspec = state;

  // ---- tables: every <table data-table> with each cell's raw value (data-v) ----
  document.querySelectorAll('table[data-table]').forEach(function (t) {
    var head = t.tHead ? Array.from(t.tHead.rows[0].cells).map(function (c) { return c.textContent.trim(); }) : [];
    var rows = Array.from(t.tBodies[0].rows).map(function (r) {
      return Array.from(r.cells).map(function (c) { return JSON.parse(c.getAttribute('data-v') || 'null'); });
    });
    state.tables[t.getAttribute('data-table')] = { columns: head, rows: rows };
  });

  // ---- charts ----
  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue('--' + name).trim();
  }
  function alpha(hex, a) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!m) return hex;
    return 'rgba(' + parseInt(m[1], 16) + ',' + parseInt(m[2], 16) + ',' + parseInt(m[3], 16) + ',' + a + ')';
  }
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v);
    var d = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
    return Number(v.toFixed(d)).toLocaleString('en-US', { maximumFractionDigits: d });
  }
  function clock(s) {
    if (s === null || s === undefined) return '–';
    if (s < 60) return s + 's';
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = String(s % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
  }
  // A "nines" axis places percentile p at 1 / (1 - p/100); label its decades p90, p99, p99.9 ...
  function nines(x) {
    return 'p' + Number((100 * (1 - 1 / x)).toFixed(4));
  }
  function isDecade(v) {
    var l = Math.log10(v);
    return Math.abs(l - Math.round(l)) < 1e-9;
  }
  function decadesOnly(u, splits) {
    return splits.map(function (v) { return v !== null && isDecade(v) ? v : null; });
  }
  function axisValues(a) {
    return function (u, splits) {
      return splits.map(function (v) {
        if (v === null) return '';
        if (a.nines) return v >= 10 && isDecade(v) ? nines(v) : '';
        if (a.log) return isDecade(v) ? fmt(v) : '';
        return a.seconds ? clock(v) : fmt(v);
      });
    };
  }
  // Whole seconds only, on round minute marks once the run is long.
  var SECOND_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
  function zeroBased(u, min, max) {
    return [0, max > 0 ? max * 1.08 : 1];
  }

  // Histogram bars. uPlot sizes bars for a linear x scale; on a log scale each bucket is drawn from
  // its lower edge (upper / ratio) to its upper edge, so every bar has the same width on screen.
  function barsOf(x) {
    if (!(x.log && x.bucketRatio > 1)) return uPlot.paths.bars({ size: [0.86, 60], align: 0 });
    return uPlot.paths.bars({
      disp: {
        x0: { unit: 1, values: function (u) { return u.data[0].map(function (v) { return v / x.bucketRatio; }); } },
        size: {
          unit: 2,
          values: function (u) {
            var decades = Math.log10(u.scales.x.max) - Math.log10(u.scales.x.min);
            return [(0.88 * Math.log10(x.bucketRatio)) / decades];
          },
        },
      },
    });
  }

  function options(c, width) {
    var text = cssVar('muted');
    var grid = cssVar('grid');
    var axis = function (a, scale, side) {
      return {
        scale: scale,
        side: side,
        label: a.label,
        labelSize: 18,
        stroke: text,
        font: '11px ' + cssVar('font-ui'),
        labelFont: '12px ' + cssVar('font-ui'),
        // Log scales: grid lines and ticks at whole decades only (uPlot draws every 1-9 step).
        grid: a.log ? { show: side !== 1, stroke: grid, width: 1, filter: decadesOnly } : { show: side !== 1, stroke: grid, width: 1 },
        ticks: a.log ? { stroke: grid, width: 1, filter: decadesOnly } : { stroke: grid, width: 1 },
        values: a.log && !a.nines ? undefined : axisValues(a),
        incrs: a.seconds ? SECOND_INCRS : undefined,
        size: scale === 'x' ? 44 : 64,
      };
    };
    var series = [{ label: c.x.label, value: function (u, v) { return v === null || v === undefined ? '–' : c.x.seconds ? clock(v) : c.x.nines ? nines(v) : fmt(v) + (c.x.unit ? ' ' + c.x.unit : ''); } }];
    // A short run has few points: mark each one so a three-second run does not read as two lines.
    var fewPoints = c.data[0].length <= 60;
    c.series.forEach(function (s) {
      var color = cssVar('s-' + s.color);
      var unit = (s.scale === 'y2' ? c.y2 && c.y2.unit : c.y.unit) || '';
      series.push({
        label: s.label,
        scale: s.scale || 'y',
        stroke: s.edge ? alpha(color, 0.45) : color,
        width: s.edge ? 1 : s.bars ? 1 : 2,
        dash: s.dash ? [6, 5] : undefined,
        fill: s.bars ? alpha(color, 0.55) : s.fill ? alpha(color, 0.1) : undefined,
        paths: s.bars ? barsOf(c.x) : undefined,
        points: { show: fewPoints && !s.bars && !s.edge, size: 5 },
        spanGaps: false,
        value: function (u, v) { return v === null || v === undefined ? '–' : fmt(v) + (unit ? ' ' + unit : ''); },
      });
    });
    var scales = {
      x: c.x.log ? { time: false, distr: 3 } : { time: false },
      y: c.y.log ? { distr: 3 } : { range: zeroBased },
    };
    var axes = [axis(c.x, 'x', 2), axis(c.y, 'y', 3)];
    if (c.y2) {
      scales.y2 = { range: zeroBased };
      axes.push(axis(c.y2, 'y2', 1));
    }
    return {
      width: width,
      height: c.series.some(function (s) { return s.bars; }) ? 240 : 280,
      scales: scales,
      axes: axes,
      series: series,
      bands: (c.bands || []).map(function (b) {
        return { series: [b[0] + 1, b[1] + 1], fill: alpha(cssVar('s-' + c.series[b[0]].color), 0.14) };
      }),
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
    };
  }

  var drawn = [];
  function drawAll() {
    drawn.forEach(function (d) { d.plot.destroy(); });
    drawn = [];
    spec.charts.forEach(function (c) {
      var el = document.querySelector('[data-chart="' + c.id + '"]');
      if (!el) throw new Error('no place for chart ' + c.id);
      var plot = new uPlot(options(c, Math.max(280, el.clientWidth)), c.data, el);
      drawn.push({ plot: plot, el: el });
      state.charts[c.id] = {
        points: plot.data[0].length,
        series: c.series.map(function (s) { return s.label; }),
        downsampling: c.downsampling || null,
      };
    });
  }
  drawAll();

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      drawn.forEach(function (d) { d.plot.setSize({ width: Math.max(280, d.el.clientWidth), height: d.plot.height }); });
    });
  });
  // Colours come from CSS variables: redraw when the reader switches between light and dark.
  if (window.matchMedia) window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', drawAll);
})();
