"""How `regscan registry` identifies a registry that is none of the vendors: a real CNCF registry
behind a recording proxy. Neither the URL nor the /v2/ ping decides, so each vendor plugin sends its
one unauthenticated probe (Harbor's systeminfo, JFrog's ping, Nexus's status, Quay's discovery), and
they are sent at once (SDK 1.5), not one after another: a remote registry costs one round trip to
identify, not four. The answers are weighed in plugin order, whichever came back first, and the
generic V2 plugin takes the registry."""
import re
import threading

from harness import measured_run, proxy
from harness.case import RegscanCase
from harness.registry import Registry

PROBES = ("/api/v2.0/systeminfo", "/artifactory/api/system/ping", "/service/rest/v1/status", "/api/v1/discovery")


class AllAtOnce:
    """A proxy rule holding each probe until every one of `routes` has arrived (or `cap` seconds, after which
    it is passed on): probes sent one after another are each held `cap` seconds, and `most` stays 1."""

    def __init__(self, routes, cap=20):
        self.routes, self.cap = set(routes), cap
        self.arrived, self.held, self.most = set(), 0, 0
        self.changed = threading.Condition()

    def __call__(self, request, _proxy):
        if request.route in self.routes and request.method == "GET":
            with self.changed:
                self.arrived.add(request.route)
                self.held += 1
                self.most = max(self.most, self.held)
                self.changed.notify_all()
                self.changed.wait_for(lambda: self.arrived == self.routes, timeout=self.cap)
                self.held -= 1
        return None


class IdentificationTest(RegscanCase):
    def test_the_vendor_probes_are_sent_at_once_and_weighed_in_plugin_order(self):
        registry = Registry().start()
        self.addCleanup(registry.stop)
        at_once = AllAtOnce(PROBES)
        front = proxy.FaultProxy(registry, [at_once])
        front.start()
        self.addCleanup(front.stop)
        result = measured_run.run("registry", front.url, "--mode=dry-run", "--no-progress", "--log-level=debug",
                                  timeout=240)
        self.assertEqual(result.code, 0, result)
        self.assertEqual(at_once.arrived, set(PROBES))
        self.assertEqual(at_once.most, len(PROBES), "the probes were not all in flight together")
        self.assertIn("info Identified registry as: DEFAULT_V2", result.stderr)
        probing = re.findall(r"debug plugin (\S+) scored -?\d+ for \S+ \(probing\)", result.stderr)
        self.assertEqual(probing, ["acr", "dockerhub", "ecr", "harbor", "jfrog", "nexus", "quay", "v2"])
        asked = [path for _, _, path, _ in front.log if path in PROBES]
        self.assertEqual(sorted(asked), sorted(PROBES), "one probe per vendor plugin")
