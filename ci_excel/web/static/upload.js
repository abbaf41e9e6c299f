// Drag and drop onto the upload box: the dropped file goes into the form's file input and the form
// is sent. Without JavaScript the same form works with its own file input and button.
(function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var form = document.getElementById("upload-form");
  if (!drop || !input || !form) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      form.submit();
    }
  });
  form.addEventListener("submit", function () {
    var button = document.getElementById("upload");
    if (button) { button.disabled = true; button.classList.add("busy"); }
  });
})();
