"""Certificates made with the openssl CLI: a CA, a loopback server cert, a token-signing cert."""
import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


class CertificateAuthority:
    """A throwaway CA and one server certificate, by default for 127.0.0.1 / localhost."""

    def __init__(self, directory, names="IP:127.0.0.1,DNS:localhost", common_name="127.0.0.1"):
        self.directory = directory
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca.key")
        self.server_cert = os.path.join(directory, "server.pem")
        self.server_key = os.path.join(directory, "server.key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                 "-keyout", self.ca_key, "-out", self.ca_cert, "-subj", "/CN=regscan e2e CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
        csr = os.path.join(directory, "server.csr")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", self.server_key,
                 "-out", csr, "-subj", f"/CN={common_name}", cwd=directory)
        ext = os.path.join(directory, "server.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName={names}\n"
                    "basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\n")
        _openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                 "-set_serial", "2", "-days", "2", "-sha256", "-extfile", ext,
                 "-out", self.server_cert, cwd=directory)


class SigningCertificate:
    """A self-signed RSA cert whose key signs bearer tokens (RS256)."""

    def __init__(self, directory):
        self.cert = os.path.join(directory, "token-signer.pem")
        self.key = os.path.join(directory, "token-signer.key")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                 "-keyout", self.key, "-out", self.cert, "-subj", "/CN=regscan e2e token signer",
                 cwd=directory)
        self.der = subprocess.run(["openssl", "x509", "-in", self.cert, "-outform", "DER"],
                                  check=True, capture_output=True, timeout=60).stdout

    def sign(self, data):
        """RSASSA-PKCS1-v1_5 over SHA-256, which is JWT's RS256."""
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                              input=data, check=True, capture_output=True, timeout=60).stdout
