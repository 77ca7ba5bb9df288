"""The camera path of the gate page, in a Chromium whose camera is a fake video of a pass's QR
code. Chromium on Linux has no BarcodeDetector of its own, so this reads the code with the
vendored ZXing WebAssembly ponyfill, as iOS Safari or WeChat's browser would."""

from datetime import timedelta

import pytest
import segno

from firstline import clock
from firstline.access import services
from firstline.access.models import Crossing

from ..conftest import CHROMIUM, PASSWORD, PHONE

SHOTS = "/work/screens/field"


def qr_y4m(path, text, *, width=640, height=480, frames=10):
    """A few frames of a still picture of `text`'s QR code, as a YUV4MPEG2 (4:2:0) file —
    the format Chromium's --use-file-for-fake-video-capture plays in a loop."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    quiet = 4
    n = len(matrix) + 2 * quiet
    scale = min(width, height) * 8 // 10 // n
    left, top = (width - n * scale) // 2, (height - n * scale) // 2
    luma = bytearray([235]) * (width * height)  # white
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if not dark:
                continue
            for y in range(top + (r + quiet) * scale, top + (r + quiet + 1) * scale):
                start = y * width + left + (c + quiet) * scale
                luma[start:start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(luma)
            f.write(chroma)
            f.write(chroma)


@pytest.fixture
def camera_browser(tmp_path, world, chromium):
    """A second Chromium (same Playwright as the session's), whose camera plays the QR."""
    video = tmp_path / "pass.y4m"
    qr_y4m(str(video), world.pass1.code)
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    yield browser
    browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_camera_reads_a_pass_without_a_native_barcode_detector(world, cast, camera_browser,
                                                                   live_server):
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=1,
                        starts_on=clock.today() - timedelta(days=1), actor=cast.staff_c1)
    context = camera_browser.new_context(viewport=PHONE, locale="zh-CN")
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "gate_c1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    assert page.evaluate("() => 'BarcodeDetector' in window") is False
    page.fill("#gate-temp", "36.6")  # measured first: everyone crossing is
    page.click("#gate-camera")
    page.wait_for_selector("#gate-log li.allow", timeout=30000)
    assert page.evaluate("() => !!window.BarcodeDetectionAPI")  # the vendored reader did it
    assert "101室" in page.inner_text("#gate-result .household")
    page.screenshot(path=f"{SHOTS}/gate-camera-allow-zh.png")
    assert list(Crossing.objects.values_list("household_id", "reason")) == [(world.h1.pk, "ok")]
    context.close()
