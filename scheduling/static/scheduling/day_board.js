// The day board: a click on a booking shows what can be done with it (its existing action pages); a
// click on free space opens the page that books an order into that chair at that grid time.
(function () {
  const menu = document.getElementById("board-actions");
  const board = document.getElementById("day-board");
  if (!board) return;
  function show(html, x, y) {
    menu.innerHTML = html;
    menu.hidden = false;
    menu.style.left = Math.min(x, document.documentElement.clientWidth - menu.offsetWidth - 16) + "px";
    menu.style.top = y + "px";
  }
  board.addEventListener("click", function (event) {
    const bar = event.target.closest(".bar");
    if (bar) {  // a booking: what can be done with it, here
      event.preventDefault();
      show(bar.querySelector("template.bar-actions").innerHTML, event.pageX, event.pageY + 8);
      return;
    }
    const lane = event.target.closest("td.lane.free");
    if (!lane) return;
    // Free space: the grid slot under the pointer, then the page that books an order there.
    const box = lane.getBoundingClientRect();
    const slots = Number(lane.dataset.slots);
    const index = Math.min(slots - 1, Math.max(0, Math.floor((event.clientX - box.left) / box.width * slots)));
    const start = new Date(Date.parse(lane.dataset.first) + index * Number(lane.dataset.step) * 1000);
    const params = new URLSearchParams({chair: lane.dataset.chair, start: start.toISOString().replace(".000Z", "+00:00")});
    window.location = lane.dataset.book + "?" + params.toString();
  });
  document.addEventListener("click", function (event) {
    if (!menu.hidden && !event.target.closest("#board-actions") && !event.target.closest(".bar")) menu.hidden = true;
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") menu.hidden = true; });
})();
