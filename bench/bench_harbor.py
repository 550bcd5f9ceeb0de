"""harbor-discovery: regscan discovering a Harbor-like registry through the
Harbor emulator of the e2e tests (REST API, token service and /v2/ front on a
real distribution registry), against the same API listing done with curl,
one request after the other, over the same pages.

  bench/run.py harbor-discovery [--projects 50 --repos-per-project 20 --artifacts 10]

regscan runs --mode=dry-run (there is no discovery-only mode): it lists
every page of projects, repositories and artifacts; an image whose artifact
entry gives its digest, type and build time needs no request of its own
(otherwise its manifest, and config, are read through /v2/ with a token).
Requests per image (manifests and blobs through /v2/) are printed: 0.00 when
the listing said it all. The floor is the listing alone.
"""
import json
import re
import subprocess
import tempfile
import time

from emulators.harbor import Harbor
from emulators import harbor_model
from harness import certs, oci_layout

NAME = "harbor.example.test"
ADMIN = ("admin", "Bench-Harbor-12345")


def _populate(harbor, projects, repos_per_project, artifacts):
    """projects x repos x artifacts distinct images (one shared layer, a config
    each), pushed once to a seed repository and mounted into every other."""
    images = [oci_layout.image(f"2024-01-{i + 1:02d}T00:00:00Z") for i in range(artifacts)]
    pusher = harbor.pusher
    for number, image in enumerate(images):
        pusher.push("seed/base", f"t{number}", image)
    blobs = {blob.digest for image in images for blob in image.dependencies}
    for p in range(projects):
        harbor.model.project(f"p{p:03d}")
        for r in range(repos_per_project):
            repo = f"p{p:03d}/r{r:03d}"
            for digest in blobs:
                pusher.mount_blob(digest, "seed/base", repo)
            for number, image in enumerate(images):
                pusher.put_manifest(repo, f"t{number}", image.media_type, image.data)
                pushed = f"2024-02-{number + 1:02d}T00:00:00.000Z"
                harbor.model.add_artifact(repo, harbor_model.Artifact(
                    image.digest, image.media_type, pushed, tags=[(f"t{number}", pushed)],
                    created=f"2024-01-{number + 1:02d}T00:00:00Z",
                    platform={"os": "linux", "architecture": "amd64"}))
    # The seed repository is pushed to the registry only: Harbor does not list it.
    pusher.close()


def _curl_listing(harbor, ca_cert, page_size=100):
    """Lists every project, repository and artifact page with one curl per
    page, sequentially; returns the number of artifacts seen."""
    base = harbor.url_for(NAME)
    resolve = f"{NAME}:{harbor.port}:127.0.0.1"
    auth = f"{ADMIN[0]}:{ADMIN[1]}"

    def pages(path, extra=""):
        items, page = [], 1
        while True:
            url = f"{base}/api/v2.0/{path}?page={page}&page_size={page_size}{extra}"
            done = subprocess.run(["curl", "-sS", "--fail", "-D", "-", "--cacert", ca_cert, "--resolve", resolve,
                                   "-u", auth, "-H", "Accept: application/json", url],
                                  check=True, capture_output=True, text=True)
            head, _, body = done.stdout.partition("\n\n")  # text mode: CRLF read as LF
            total = next(int(line.split(":", 1)[1]) for line in head.splitlines()
                         if line.lower().startswith("x-total-count:"))
            items += json.loads(body)
            if page * page_size >= total:
                return items
            page += 1

    artifacts = 0
    for project in pages("projects"):
        for repository in pages(f"projects/{project['name']}/repositories"):
            short = repository["name"].split("/", 1)[1].replace("/", "%252F")
            artifacts += len(pages(f"projects/{project['name']}/repositories/{short}/artifacts", "&with_tag=true"))
    return artifacts


def bench_harbor_discovery(args, regscan, row=None):
    with tempfile.TemporaryDirectory(prefix="regscan-bench-harbor-") as workdir:
        ca = certs.CertificateAuthority(workdir, names=f"DNS:{NAME},IP:127.0.0.1", common_name=NAME)
        harbor = Harbor(ca).start()
        try:
            harbor.add_user(*ADMIN, admin=True)
            start = time.monotonic()
            _populate(harbor, args.projects, args.repos_per_project, args.artifacts)
            setup = time.monotonic() - start
            total = args.projects * args.repos_per_project * args.artifacts
            ours, peak, result = regscan("registry", harbor.url_for(NAME), "--mode=dry-run", f"--ca-cert={ca.ca_cert}",
                                         harbor.resolve(NAME), f"--username={ADMIN[0]}",
                                         f"--password={ADMIN[1]}", workdir=workdir)
            # The summary pads its labels; compare the words and the number, not the padding.
            if not re.search(rf"^\s*Total images found\s*:\s*{total}\s*$", result.stdout, re.M):
                raise SystemExit(f"regscan found another count than {total}:\n{result.stdout}")
            api_requests = len(harbor.api.requests)
            registry_requests = len(harbor.front.requests)
            # Requests about one image: its manifests and blobs (the listing pages and the /v2/
            # identification ping are the registry's, whatever its size).
            per_image = sum(1 for request in harbor.front.requests
                            if "/manifests/" in request[1] or "/blobs/" in request[1])
            harbor.api.requests.clear()
            floor_start = time.monotonic()
            seen = _curl_listing(harbor, ca.ca_cert)
            floor = time.monotonic() - floor_start
            if seen != total:
                raise SystemExit(f"curl listed {seen} artifacts, not {total}")
            print(f"harbor-discovery {args.projects} projects x {args.repos_per_project} repositories x "
                  f"{args.artifacts} artifacts ({total} images; setup {setup:.1f}s): regscan dry-run {ours:.2f}s "
                  f"({api_requests} API + {registry_requests} /v2/ requests, {per_image / total:.2f} requests/image, "
                  f"peak RSS {peak // 1024} MiB), "
                  f"curl sequential API listing {floor:.2f}s ({len(harbor.api.requests)} requests), "
                  f"ratio {ours / floor:.2f}")
            if row:
                row(f"`harbor-discovery` ({args.projects} projects x {args.repos_per_project} repositories x "
                    f"{args.artifacts} artifacts, a Harbor emulator)",
                    f"regscan dry-run {ours:.2f} s ({api_requests} API + {registry_requests} /v2/ requests, "
                    f"{per_image / total:.2f} requests per image, peak RSS {peak // 1024} MiB) vs `curl` listing the "
                    f"same API pages one after another {floor:.2f} s", f"{ours / floor:.2f}x", "<= 1.0x")
        finally:
            harbor.stop()


def add_arguments(parser):
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--repos-per-project", type=int, default=20)
    parser.add_argument("--artifacts", type=int, default=10)

