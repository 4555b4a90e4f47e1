// Perennial dashboard: polls the read API with the key kept in this tab's sessionStorage.
(function () {
  'use strict';
  const keyInput = document.getElementById('api-key');
  const statusEl = document.getElementById('status');
  const params = new URLSearchParams(window.location.hash.slice(1));
  if (params.get('key')) {
    sessionStorage.setItem('perennial.key', params.get('key'));
    history.replaceState(null, '', window.location.pathname);
  }
  keyInput.value = sessionStorage.getItem('perennial.key') || '';
  document.getElementById('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('perennial.key', keyInput.value.trim());
    refresh();
  });

  function get(path) {
    const key = sessionStorage.getItem('perennial.key');
    const headers = key ? { Authorization: 'Bearer ' + key } : {};
    return fetch(path, { headers }).then((r) => {
      if (!r.ok) {
        return r.json().catch(() => ({})).then((b) => { throw new Error(r.status + ' ' + (b.message || r.statusText)); });
      }
      return r.json();
    });
  }

  function lineChart(id, label, color) {
    return new Chart(document.getElementById(id), {
      type: 'line',
      data: { labels: [], datasets: [{ label, data: [], borderColor: color, pointRadius: 0, spanGaps: true, tension: 0.2 }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true } } }
    });
  }

  // Upper end of the y axis for a series with outliers: the upper Tukey fence (Q3 + 3 IQR), at
  // least twice Q3, or null when nothing lies above it (the axis then fits the data). A warm-up
  // spike of a few hundred ms would otherwise flatten minutes of 1-3 ms latencies into the x axis.
  function robustCeiling(values) {
    const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    if (sorted.length < 4) {
      return null;
    }
    const quantile = (q) => {
      const pos = (sorted.length - 1) * q;
      const lo = Math.floor(pos);
      return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
    };
    const q1 = quantile(0.25);
    const q3 = quantile(0.75);
    const limit = Math.max(q3 + 3 * (q3 - q1), 2 * q3);
    return sorted[sorted.length - 1] > limit ? limit : null;
  }

  const P99 = 0;
  const P50 = 1;
  const CLIPPED = 2;
  const charts = {
    hr: lineChart('chart-hr', 'HR@10', '#2f7d4a'),
    ingest: lineChart('chart-ingest', 'events/s', '#2a5d9f'),
    lag: lineChart('chart-lag', 'lag', '#b5651d'),
    latency: lineChart('chart-latency', 'p99 ms', '#8e2c48')
  };
  // The legend draws a series as its point style; a 'line' of this border width reads as the series.
  Object.assign(charts.latency.data.datasets[P99], { pointStyle: 'line', pointBorderWidth: 6 });
  charts.latency.data.datasets.push(
    { label: 'p50 ms', data: [], borderColor: '#c98aa0', pointRadius: 0, pointStyle: 'line', pointBorderWidth: 6,
      spanGaps: true },
    { label: 'p99 above the scale', data: [], showLine: false, pointStyle: 'triangle', pointRadius: 6,
      borderColor: '#8e2c48', backgroundColor: '#8e2c48', actual: [] });
  charts.latency.options.plugins.legend = {
    display: true, position: 'bottom',
    // Point styles in the legend: a line for each series, the triangle for the marked points.
    labels: { usePointStyle: true, pointStyleWidth: 24, filter: (item, data) => item.datasetIndex !== CLIPPED
      || data.datasets[CLIPPED].data.some((v) => v !== null) }
  };
  charts.latency.options.plugins.tooltip = {
    callbacks: { label: (ctx) => (ctx.datasetIndex === CLIPPED
      ? 'p99 ' + ctx.dataset.actual[ctx.dataIndex].toFixed(2) + ' ms (above the scale)'
      : ctx.dataset.label.replace(' ms', '') + ' ' + Number(ctx.parsed.y).toFixed(2) + ' ms') }
  };
  charts.latency.options.scales.y.afterDataLimits = (scale) => {
    if (charts.latency.$ceiling !== null && charts.latency.$ceiling !== undefined) {
      scale.max = charts.latency.$ceiling;
    }
  };

  function setSeries(chart, labels, values, index) {
    chart.data.labels = labels;
    chart.data.datasets[index || 0].data = values;
  }

  function text(el, value) { document.getElementById(el).textContent = value; }

  // p99 and p50 with the axis cut at the robust ceiling; p99 points above it sit on the ceiling as
  // triangles (their value in the tooltip) and the caption says how far the highest went.
  function showLatency(labels, p99, p50) {
    const chart = charts.latency;
    const ceiling = robustCeiling(p99);
    chart.$ceiling = ceiling;
    // Cut exactly at the ceiling (no rounding up to the next tick), so the markers sit on the top edge.
    chart.options.scales.y.bounds = ceiling === null ? 'ticks' : 'data';
    setSeries(chart, labels, p99, P99);
    setSeries(chart, labels, p50, P50);
    const above = p99.map((v) => ceiling !== null && Number.isFinite(v) && v > ceiling);
    chart.data.datasets[CLIPPED].data = above.map((a) => (a ? ceiling : null));
    chart.data.datasets[CLIPPED].actual = p99;
    const count = above.filter((a) => a).length;
    const highest = Math.max(...p99.filter((v, i) => above[i]));
    text('latency-clipped', count === 0 ? ''
      : ' · ' + count + (count === 1 ? ' point' : ' points') + ' above the scale, up to ' + highest.toFixed(1) + ' ms');
  }

  // Shown only when the server consumes Kafka (GET /v1/stats has a "kafka" section).
  let kafkaCharts = null;
  function showKafka(kafka, labels, points) {
    const section = document.getElementById('kafka');
    if (!kafka) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    if (kafkaCharts === null) {
      kafkaCharts = { rate: lineChart('chart-kafka-rate', 'records/s', '#5b3f8c') };
      kafkaCharts.lag = new Chart(document.getElementById('chart-kafka-lag'), {
        type: 'bar',
        data: { labels: [], datasets: [{ label: 'lag', data: [], backgroundColor: '#b5651d' }] },
        options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true } } }
      });
    }
    text('kafka-state', kafka.state + (kafka.paused ? ' (back-pressure)' : '') + (kafka.last_error ? ' · ' + kafka.last_error : ''));
    text('kafka-topic', kafka.topic + ' @ ' + kafka.bootstrap);
    text('kafka-stored', kafka.records_stored.toLocaleString());
    text('kafka-dead', kafka.dead_letters.toLocaleString());
    const lag = kafka.partitions.reduce((sum, p) => sum + (p.lag || 0), 0);
    text('kafka-lag', lag.toLocaleString());
    setSeries(kafkaCharts.rate, labels, points.map((p) => (p.kafka_records_per_s === undefined ? null : p.kafka_records_per_s)));
    setSeries(kafkaCharts.lag, kafka.partitions.map((p) => 'p' + p.partition), kafka.partitions.map((p) => p.lag || 0));
    Object.values(kafkaCharts).forEach((c) => c.update());
  }

  function refresh() {
    Promise.all([get('/v1/stats'), get('/v1/learner'), get('/v1/series'), get('/v1/models')]).then(([stats, learner, series, models]) => {
      text('events', stats.events.toLocaleString());
      const retention = stats.retention || {};
      text('retention', !retention.days ? 'forever' : retention.days + ' days');
      text('oldest-event', retention.oldest_event ? retention.oldest_event.slice(0, 10) : '–');
      text('last-purge', retention.last_purge
        ? retention.last_purge.at.slice(0, 16).replace('T', ' ') + ' (' + retention.last_purge.events_removed.toLocaleString() + ' removed)'
        : 'none yet');
      text('live-version', stats.model_version === null ? '–' : 'v' + stats.model_version + ' (' + stats.model_type + ')');
      text('lag', learner.lag_events + ' events / ' + learner.lag_seconds.toFixed(1) + ' s');
      text('hr', learner.prequential_tests ? learner.prequential_hr10.toFixed(3) : '–');
      const points = series.points;
      const labels = points.map((p) => new Date(p.t).toLocaleTimeString());
      setSeries(charts.hr, labels, points.map((p) => p.hr10));
      setSeries(charts.ingest, labels, points.map((p) => p.ingest_per_s));
      setSeries(charts.lag, labels, points.map((p) => p.lag_events));
      showLatency(labels, points.map((p) => p.p99_ms), points.map((p) => p.p50_ms));
      Object.values(charts).forEach((c) => c.update());
      showKafka(stats.kafka, labels, points);
      const body = document.querySelector('#versions tbody');
      body.replaceChildren(...models.versions.slice(0, 50).map((v) => {
        const tr = document.createElement('tr');
        if (v.live) { tr.className = 'live'; }
        const hr = v.metrics && v.metrics['prequential_hr@10'];
        [v.version, v.kind, v.parent === null ? '' : v.parent, v.last_offset, v.created,
          hr === undefined ? '' : hr.toFixed(3), v.live ? 'live' : ''].forEach((cell) => {
          const td = document.createElement('td');
          td.textContent = cell;
          tr.appendChild(td);
        });
        return tr;
      }));
      statusEl.textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.dataset.loaded = 'true';
    }).catch((e) => { statusEl.textContent = 'error: ' + e.message; });
  }
  // For the browser test: the charts and the latency scaling, to drive with chosen data.
  window.perennialDashboard = { charts, robustCeiling, showLatency };
  refresh();
  setInterval(refresh, 5000);
}());
