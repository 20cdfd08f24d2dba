// Draws every <div class="forge-chart" data-chart="{ECharts option}"> on the page, and those HTMX swaps in.
// ECharts (about 1 MB) is fetched only when a page has a chart. Values are formatted in the page's language.
(() => {
  let loading = null;
  const loadECharts = () => {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = document.querySelector('script[data-echarts-src]').dataset.echartsSrc;
        script.onload = () => resolve(window.echarts);
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  };
  const formatterFor = (el) => {
    const lang = document.documentElement.lang || "ko";
    const kind = el.dataset.valueFormat;
    if (kind === "money") {
      const money = new Intl.NumberFormat(lang, { style: "currency", currency: el.dataset.currency || "KRW", maximumFractionDigits: 0 });
      return (value) => (value == null ? "–" : money.format(value));
    }
    if (kind === "percent") return (value) => (value == null ? "–" : `${Number(value).toFixed(1)}%`);
    const number = new Intl.NumberFormat(lang);
    return (value) => (value == null ? "–" : number.format(value));
  };
  const compactFor = (el) => {
    const lang = document.documentElement.lang || "ko";
    if (el.dataset.valueFormat === "percent") return (value) => `${value}%`;
    const compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
    return (value) => compact.format(value);
  };
  const draw = (root) => {
    const charts = root.querySelectorAll(".forge-chart:not([data-drawn])");
    if (!charts.length) return;
    loadECharts().then((echarts) => {
      charts.forEach((el) => {
        el.dataset.drawn = "1";
        const option = JSON.parse(el.dataset.chart);
        const format = formatterFor(el);
        option.tooltip = Object.assign({ valueFormatter: format }, option.tooltip || {});
        ["xAxis", "yAxis"].forEach((axis) => {
          if (option[axis] && option[axis].type === "value") {
            option[axis].axisLabel = Object.assign({ formatter: compactFor(el) }, option[axis].axisLabel || {});
          }
        });
        option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
        const chart = echarts.init(el, null, { renderer: "svg" });
        chart.setOption(option);
        new ResizeObserver(() => chart.resize()).observe(el);
      });
    });
  };
  document.addEventListener("DOMContentLoaded", () => draw(document));
  document.addEventListener("htmx:afterSettle", (event) => draw(event.target));
})();
