"""HTTPS with a CA made by openssl: verification is on by default (docs/cli.md).

--ca-cert trusts the CA, --insecure opts out; without either, or with another
CA, or with a certificate for another name, the run fails with exit code 3.
"""
import os
import re
import tempfile
import unittest

from harness import case, certs, content, oci_layout as oci, push, registry

IMAGES = {("secure/app", "1.0"): "2019-01-01T01:29:27Z",
          ("secure/app", "1.1"): "2024-02-29T23:59:59.999-00:30"}
TLS_ERROR = r"(?i)certificate|tls|ssl|verif"


def start(test_class, **kwargs):
    reg = registry.Registry(**kwargs)
    test_class.addClassCleanup(reg.stop)
    reg.start()
    return reg


def fill(reg, creds=None):
    inventory = content.Inventory(reg.host)
    for (repo, tag), created in IMAGES.items():
        inventory.add(repo, tag, {"": created})
    push.skopeo_push(reg, {f"{r}:{t}": oci.image(c) for (r, t), c in IMAGES.items()}, creds=creds)
    return inventory


class Tls(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-tls-")
        cls.addClassCleanup(cls.directory.cleanup)

        def make(name, **kwargs):
            directory = os.path.join(cls.directory.name, name)
            os.mkdir(directory)
            return certs.CertificateAuthority(directory, **kwargs)

        cls.ca = make("ca")
        cls.other_ca = make("other")
        cls.wrong_name_ca = make("wrong-name", names="DNS:other.example", common_name="other.example")
        cls.registry = start(cls, tls=cls.ca)
        cls.inventory = fill(cls.registry)
        cls.wrong_name_registry = start(cls, tls=cls.wrong_name_ca)
        cls.password = "Tls-basic-pw-42"
        cls.auth_registry = start(cls, tls=cls.ca, htpasswd_users={"reader": cls.password})
        cls.auth_inventory = fill(cls.auth_registry, creds=("reader", cls.password))

    def assertTlsFailure(self, result):
        self.assertExit(result, 3)
        self.assertLogFormat(result)
        errors = result.messages("error") + result.messages("critical")
        self.assertTrue(any(re.search(TLS_ERROR, m) for m in errors),
                        f"no error message about the certificate\n{result!r}")

    def test_url_is_https(self):
        self.assertTrue(self.registry.url.startswith("https://127.0.0.1:"))

    def test_ca_cert_verifies_the_registry(self):
        result = self.dry_run(self.registry.url, f"--ca-cert={self.ca.ca_cert}")
        self.assertInventory(result, self.registry.host, self.inventory.rows())
        self.assertLogged(result, "^Beginning discovery of registry: " + re.escape(self.registry.url) + "$")

    def test_verification_is_on_by_default(self):
        self.assertTlsFailure(self.dry_run(self.registry.url))

    def test_another_ca_is_not_trusted(self):
        self.assertTlsFailure(self.dry_run(self.registry.url, f"--ca-cert={self.other_ca.ca_cert}"))

    def test_certificate_for_another_name_is_refused(self):
        self.assertTlsFailure(self.dry_run(self.wrong_name_registry.url,
                                           f"--ca-cert={self.wrong_name_ca.ca_cert}"))

    def test_insecure_skips_verification(self):
        result = self.dry_run(self.registry.url, "--insecure")
        self.assertInventory(result, self.registry.host, self.inventory.rows())

    def test_missing_ca_file_is_a_configuration_error(self):
        missing = os.path.join(self.directory.name, "no-such-ca.pem")
        result = self.dry_run(self.registry.url, f"--ca-cert={missing}")
        self.assertExit(result, 2)
        self.assertIn("no-such-ca.pem", result.stderr)

    def test_basic_auth_over_https(self):
        result = self.dry_run(self.auth_registry.url, f"--ca-cert={self.ca.ca_cert}",
                              "--username=reader", "--password-stdin", stdin=self.password + "\n")
        self.assertInventory(result, self.auth_registry.host, self.auth_inventory.rows())
        result = self.dry_run(self.auth_registry.url, f"--ca-cert={self.ca.ca_cert}",
                              "--username=reader", "--password=not-the-password")
        self.assertExit(result, 4)


if __name__ == "__main__":
    unittest.main()
