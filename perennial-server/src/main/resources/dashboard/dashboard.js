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
  const charts = {
    hr: lineChart('chart-hr', 'HR@10', '#2f7d4a'),
    ingest: lineChart('chart-ingest', 'events/s', '#2a5d9f'),
    lag: lineChart('chart-lag', 'lag', '#b5651d'),
    latency: lineChart('chart-latency', 'p99 ms', '#8e2c48')
  };
  charts.latency.data.datasets.push({ label: 'p50 ms', data: [], borderColor: '#c98aa0', pointRadius: 0, spanGaps: true });

  function setSeries(chart, labels, values, index) {
    chart.data.labels = labels;
    chart.data.datasets[index || 0].data = values;
  }

  function text(el, value) { document.getElementById(el).textContent = value; }

  function refresh() {
    Promise.all([get('/v1/stats'), get('/v1/learner'), get('/v1/series'), get('/v1/models')]).then(([stats, learner, series, models]) => {
      text('events', stats.events.toLocaleString());
      text('live-version', stats.model_version === null ? '–' : 'v' + stats.model_version + ' (' + stats.model_type + ')');
      text('lag', learner.lag_events + ' events / ' + learner.lag_seconds.toFixed(1) + ' s');
      text('hr', learner.prequential_tests ? learner.prequential_hr10.toFixed(3) : '–');
      const points = series.points;
      const labels = points.map((p) => new Date(p.t).toLocaleTimeString());
      setSeries(charts.hr, labels, points.map((p) => p.hr10));
      setSeries(charts.ingest, labels, points.map((p) => p.ingest_per_s));
      setSeries(charts.lag, labels, points.map((p) => p.lag_events));
      setSeries(charts.latency, labels, points.map((p) => p.p99_ms), 0);
      setSeries(charts.latency, labels, points.map((p) => p.p50_ms), 1);
      Object.values(charts).forEach((c) => c.update());
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
  refresh();
  setInterval(refresh, 5000);
}());
