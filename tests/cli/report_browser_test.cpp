// The HTML report in a real browser: every shipped experiment (shrunk to a few hundred requests and one
// replication so the suite stays quick; sweeps trimmed to two values per field) is run, reported, and
// opened in headless Chromium at 1,280 px. A probe injected into a copy of the page checks the DOM: every
// table and plot present, nothing wider than the window (no horizontal scrollbar), no script error or
// console error. A screenshot of each report is saved under the build folder. Reported as skipped, with
// the reason, only where Chromium is not installed; sanitizer trees leave it to the Release tree.
#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "cli_support.h"

namespace sparsesim::testing {
namespace {

std::string chromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (fs::exists(candidate)) return candidate;
  return "";
}

// Runs first, before the page's own scripts: records errors; after load, measures and reports as JSON-ish
// text in a <pre id="probe"> that --dump-dom prints.
const char* kProbe = R"(<script>
window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push('error: ' + e.message); });
var __consoleError = console.error;
console.error = function () { window.__errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); __consoleError.apply(console, arguments); };
window.addEventListener('load', function () {
  var wide = [];
  var all = document.body.getElementsByTagName('*');
  for (var i = 0; i < all.length; i++) {
    var box = all[i].getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && wide.length < 5) wide.push(all[i].tagName + '.' + all[i].className + ' ' + Math.round(box.right));
  }
  var probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = 'tables=' + document.querySelectorAll('table').length + ' svgs=' + document.querySelectorAll('figure svg').length +
    ' scroll=' + document.documentElement.scrollWidth + ' window=' + window.innerWidth + ' wide=[' + wide.join('; ') + ']' +
    ' errors=[' + window.__errors.join('; ') + ']' + ' sortable=' + document.querySelectorAll('table.sortable th').length + ' END';
  document.body.appendChild(probe);
});
</script>)";

std::string probe_field(const std::string& dom, const std::string& key) {
  const auto at = dom.find(key + "=");
  if (at == std::string::npos) return "";
  const auto start = at + key.size() + 1;
  if (dom[start] == '[') return dom.substr(start + 1, dom.find(']', start) - start - 1);
  return dom.substr(start, dom.find(' ', start) - start);
}

// The experiment with its workload cut to `requests` requests (or workflows) and one replication.
void write_shrunk(const fs::path& from, const fs::path& to) {
  YAML::Node document = YAML::LoadFile(from.string());
  document["replications"] = 1;
  document.remove("report");
  YAML::Node workload = document["workload"];
  if (workload["workflows"])
    workload["workflows"]["count"] = 30;
  else if (workload["generator"])
    workload["generator"]["count"] = 200;
  else
    workload["max_requests"] = 200;
  if (YAML::Node grid = document["sweep"]["grid"])
    for (auto field : grid)
      while (field.second.size() > 2) field.second.remove(field.second.size() - 1);
  if (YAML::Node capacity = document["capacity"]) capacity["max_replicas"] = 8;
  std::ofstream(to) << YAML::Dump(document) << "\n";
}

}  // namespace

TEST_CASE("each shipped experiment's report renders in headless Chromium without overflow or errors") {
#ifdef SPARSESIM_SANITIZED
  MESSAGE("[skipped] sanitizer build: the Release tree runs the browser test");
  return;
#endif
  const std::string browser = chromium();
  if (browser.empty()) {
    MESSAGE("[skipped] Chromium is not installed (apt-get install chromium; scripts/install-deps does)");
    return;
  }
  const fs::path dir = test_dir("report_browser");
  const fs::path screenshots = fs::path(SPARSESIM_TEST_TMP).parent_path() / "report_screenshots";
  fs::create_directories(screenshots);
  int reports = 0;
  for (const auto& entry : fs::directory_iterator("experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().stem().string();
    if (read_bytes(entry.path()).find("\nisocost:") != std::string::npos) continue;  // analytic: no report
    INFO(name);
    const fs::path yaml = dir / (name + ".yaml"), db = dir / (name + ".db"),
                   html = dir / name / "report.html";
    write_shrunk(entry.path(), yaml);
    const auto run = run_cli("run " + yaml.string() + " --no-progress --out " + db.string(), dir);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    const auto report = run_cli("report " + db.string() + " -o " + html.string(), dir);
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    // The probe goes into a copy, so the shipped page stays exactly what the user gets.
    std::string page = read_bytes(html);
    REQUIRE(page.find("<head>") != std::string::npos);
    page.insert(page.find("<head>") + 6, kProbe);
    const fs::path probed = dir / name / "probed.html";
    std::ofstream(probed) << page;
    // Its own profile folder: CI may run without a HOME, and two tests must not share a profile.
    const std::string flags =
        " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --hide-scrollbars "
        "--user-data-dir='" +
        (dir / "chromium-profile").string() + "' --window-size=1280,900 ";
    const auto dom = run_shell(
        "timeout 120 " + browser + flags + "--dump-dom 'file://" + probed.string() + "' 2>/dev/null", dir);
    INFO(dom.output.substr(dom.output.find("<pre id=\"probe\">") == std::string::npos
                               ? 0
                               : dom.output.find("<pre id=\"probe\">")));
    REQUIRE(dom.output.find("<pre id=\"probe\">") != std::string::npos);
    const std::string probe = dom.output.substr(dom.output.find("<pre id=\"probe\">"));
    const int tables = std::stoi(probe_field(probe, "tables"));
    const int svgs = std::stoi(probe_field(probe, "svgs"));
    CHECK(tables == static_cast<int>(count_of(read_bytes(html), "<table")));
    CHECK(tables >= 1);
    CHECK(svgs == static_cast<int>(count_of(read_bytes(html), "<figure>")));
    CHECK(svgs >= 1);
    CHECK(std::stoi(probe_field(probe, "scroll")) <= 1280);
    CHECK(probe_field(probe, "wide").empty());
    CHECK(probe_field(probe, "errors").empty());
    CHECK(std::stoi(probe_field(probe, "sortable")) > 0);
    run_shell("timeout 120 " + browser + flags.substr(0, flags.find("--window-size")) +
                  "--window-size=1280,3000 --screenshot=" + (screenshots / (name + ".png")).string() +
                  " 'file://" + html.string() + "'",
              dir);
    CHECK(fs::exists(screenshots / (name + ".png")));
    ++reports;
  }
  CHECK(reports >= 8);
}

}  // namespace sparsesim::testing
