// The partner portal: live accept-by countdowns, and offer rows that show a refused answer's message in place.
(function () {
  "use strict";
  const lang = document.documentElement.lang || "ko";
  function left(ms) {
    if (ms <= 0) return lang === "ko" ? "기한 지남" : "deadline passed";
    const minutes = Math.floor(ms / 60000), hours = Math.floor(minutes / 60), days = Math.floor(hours / 24);
    if (lang === "ko") {
      if (days > 0) return `${days}일 ${hours % 24}시간 남음`;
      if (hours > 0) return `${hours}시간 ${minutes % 60}분 남음`;
      return `${minutes}분 남음`;
    }
    if (days > 0) return `${days} d ${hours % 24} h left`;
    if (hours > 0) return `${hours} h ${minutes % 60} min left`;
    return `${minutes} min left`;
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach((element) => {
      const deadline = Date.parse(element.dataset.deadline);
      if (Number.isNaN(deadline)) return;
      const ms = deadline - Date.now();
      const text = element.querySelector("[data-countdown-text]");
      if (text) text.textContent = left(ms);
      element.classList.toggle("text-danger", ms < 3 * 3600 * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
  // A 403 on an offer row (answered or recalled meanwhile) carries the row with its message: show it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 403 && event.detail.target.closest("[data-portal-offers]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
