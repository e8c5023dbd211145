"""Draw the phone app's icons (static/mobile/icons/): the brand red with a white 暖.

Run once when the brand changes; the PNGs are committed, so neither the build nor the
tests need the font. Needs Pillow and a CJK font (Debian: fonts-wqy-microhei).

    .venv/bin/python scripts/make_app_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND_RED = (192, 57, 43)  # .bar in static/mobile/mobile.css
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
OUT = Path(__file__).resolve().parent.parent / "static" / "mobile" / "icons"


def draw(size: int, *, maskable: bool) -> Image.Image:
    """A maskable icon fills its square (the launcher cuts its own shape, keeping the
    centre 80%); an ordinary one is a rounded square on transparency."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    canvas = ImageDraw.Draw(image)
    if maskable:
        canvas.rectangle((0, 0, size, size), fill=BRAND_RED)
        glyph_share = 0.5
    else:
        canvas.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BRAND_RED)
        glyph_share = 0.66
    font = ImageFont.truetype(FONT, int(size * glyph_share))
    canvas.text((size / 2, size / 2), "暖", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    # iOS puts its own corners on a full square and ignores transparency.
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
