"""A server certificate for real AWS host names, signed by the harness's
throwaway CA, so regscan can be pointed at https://<account>.dkr.ecr.<region>
.amazonaws.com with --resolve and --ca-cert and verify TLS as usual."""
import os
import subprocess


def server_certificate(ca, names, stem="ecr"):
    """(cert path, key path) for DNS names `names`, signed by `ca`
    (a harness.certs.CertificateAuthority), written beside the CA's files."""
    directory = ca.directory
    key = os.path.join(directory, f"{stem}.key")
    csr = os.path.join(directory, f"{stem}.csr")
    cert = os.path.join(directory, f"{stem}.pem")
    ext = os.path.join(directory, f"{stem}.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n"
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n")
    run = dict(cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", key, "-out", csr,
                    "-subj", f"/CN={names[0]}"], **run)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca.ca_cert, "-CAkey", ca.ca_key,
                    "-set_serial", "7", "-days", "2", "-sha256", "-extfile", ext, "-out", cert], **run)
    return cert, key
