"""The loopback mirror itself: real-API-shaped feeds, PDFs by version, Range, catalogue from a folder."""

from __future__ import annotations

import urllib.request
import xml.etree.ElementTree as ET

from synth.demo.loopback import ARXIV_NS, ATOM_NS, OPENSEARCH_NS, ArxivMirror
from tests.papers.sources.pdfs import paper_pdf, write


def get(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as r:
        return r.status, dict(r.headers), r.read()


def test_feed_declares_the_real_namespaces(mirror):
    status, headers, body = get(f"{mirror.api_url}?id_list=2005.13013,2005.13013v1&start=0&max_results=10")
    assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
    text = body.decode()
    for ns in (f'xmlns="{ATOM_NS}"', f'xmlns:arxiv="{ARXIV_NS}"', f'xmlns:opensearch="{OPENSEARCH_NS}"'):
        assert ns in text
    root = ET.fromstring(body)
    ids = [e.find(f"{{{ATOM_NS}}}id").text for e in root.findall(f"{{{ATOM_NS}}}entry")]
    assert ids == ["http://arxiv.org/abs/2005.13013v2", "http://arxiv.org/abs/2005.13013v1"]
    assert root.find(f"{{{OPENSEARCH_NS}}}totalResults").text == "2"


def test_pdf_routes_and_range(mirror):
    body = mirror.papers["2005.13013v1"].pdf
    assert get(f"{mirror.pdf_url}/2005.13013v1")[2] == body
    assert get(f"{mirror.pdf_url}/2005.13013v1.pdf")[2] == body
    assert get(f"{mirror.pdf_url}/2005.13013")[2] == mirror.papers["2005.13013v2"].pdf  # bare id → latest
    status, headers, tail = get(f"{mirror.pdf_url}/2005.13013v1", {"Range": "bytes=100-"})
    assert status == 206 and tail == body[100:]
    assert headers["Content-Range"] == f"bytes 100-{len(body) - 1}/{len(body)}"
    assert [r.path for r in mirror.seen("pdf")][:2] == ["/pdf/2005.13013v1", "/pdf/2005.13013v1.pdf"]


def test_catalogue_from_a_folder(tmp_path):
    write(tmp_path / "2101.00010v2.pdf", paper_pdf("Folder paper", 2, 1.5))
    write(tmp_path / "hep-th_9901001v1.pdf", paper_pdf("Old style", 1, 1.0))
    write(tmp_path / "notes.pdf", b"%PDF-1.4 ignored: no version in the name")
    with ArxivMirror.from_folder(tmp_path) as m:
        assert sorted(m.papers) == ["2101.00010v2", "hep-th/9901001v1"]
        assert m.papers["2101.00010v2"].title  # from the PDF metadata, else the file stem
        assert get(f"{m.pdf_url}/hep-th/9901001v1")[2] == (tmp_path / "hep-th_9901001v1.pdf").read_bytes()
        assert m.env() == {"SYNTH_ARXIV_API": m.api_url, "SYNTH_ARXIV_PDF": m.pdf_url}
