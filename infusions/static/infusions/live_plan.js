// The order form's live plan: the form as typed is posted to the preview view (nothing is saved) and
// its plan and checks replace #live-plan; the last answer wins.
(function () {
  const box = document.getElementById("live-plan");
  const form = box.closest("form");
  let timer = null, seq = 0;
  function refresh() {
    const mine = ++seq;
    fetch(box.dataset.url, {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (mine === seq) box.innerHTML = html; })
      .catch(function () { if (mine === seq) box.innerHTML = "<p>The plan could not be computed just now.</p>"; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (window.django && django.jQuery) django.jQuery(form).on("select2:select", later);  // the patient picker
  // A form that opens filled (a replacement, or one sent back with an error) shows its plan at once.
  const patient = form.querySelector("[name=patient]");
  if (patient && patient.value) refresh();
})();
