"""The upload route under attack: hostile files get the project's error shape with a 422
(413 past the size limit) and leave nothing stored or announced."""

from __future__ import annotations

import pytest

from tests.fixtures.resumes import ENTITY_EXPANSION, docx_with_part, many_pages, zip_bomb
from tests.integration.test_ats_upload import Env, env

pytestmark = pytest.mark.integration
__all__ = ["env"]


@pytest.mark.parametrize("name, content, status, reason", [
    ("cv.exe", b"<html><script>alert(1)</script>Jane Doe</html>", 422, "not taken"),
    ("cv.txt", b"<html><script>alert(1)</script>Jane Doe</html>", 422, "markup"),
    ("cv.docx", docx_with_part("word/document.xml", b"<w:document><w:body"), 422, "corrupt"),
    ("cv.docx", docx_with_part("word/document.xml", ENTITY_EXPANSION), 422, "corrupt"),
    ("cv.docx", zip_bomb(), 422, "zip bomb"),
    ("cv.pdf", many_pages(25), 422, "the limit is 20"),
    ("cv.txt", b"Jane Doe " * 200_000, 413, "the limit is 1,000,000"),
])
async def test_hostile_files_are_refused_in_the_error_shape_and_store_nothing(
        env: Env, name: str, content: bytes, status: int, reason: str) -> None:
    response = await env.post(name, content)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == "ERR_VALIDATION" and reason in error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    assert env.stored_files() == 0 and await env.events() == []
