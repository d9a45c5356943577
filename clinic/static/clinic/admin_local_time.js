// The admin reads and shows every time in the site's zone, with its abbreviation (scheduling/zones.py).
// Django's note comparing the browser's UTC offset with the server's ("You are 5 hours behind server
// time") would contradict the labels, so the offset it compares against is removed before its check
// runs (DateTimeShortcuts initialises on window load, after this).
document.addEventListener("DOMContentLoaded", function () {
  delete document.body.dataset.adminUtcOffset;
});
