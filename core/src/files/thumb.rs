//! Thumbnails, as PocketBase's `filesystem.createThumb` makes them with
//! `disintegration/imaging`: decode (the first frame; JPEG EXIF orientation applied), then
//! `Resize` (a 0 side follows the aspect ratio), `Fit` (scale down to fit, never up) or
//! `Fill` (scale to cover and crop at the centre, top or bottom), all with imaging's `Linear`
//! filter, ported here so the sizes, crops and alpha handling are imaging's to the pixel;
//! then encoded as JPEG (quality 95) for a `image/jpeg` original, GIF for `image/gif`, and
//! PNG for everything else (WebP and `image/jpg` included).
//!
//! CPU-bound and synchronous: callers run it on a blocking thread.

use super::resample::{self, resize_horizontal, resize_vertical};
use basalt_domain::files::{Anchor, ThumbMode, ThumbSize};
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits,
    RgbaImage,
};
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What the decoders may allocate at once.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// imaging's default JPEG quality.
const JPEG_QUALITY: u8 = 95;

/// Why no thumb could be made (PocketBase then serves the original).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ThumbError {
    /// Both sides 0, or a 0 side for a mode that needs both.
    #[error("invalid thumb size {width}x{height}")]
    InvalidSize {
        /// The requested width.
        width: u32,
        /// The requested height.
        height: u32,
    },
    /// The original, the thumb or an image on the way has more than [`resample::MAX_PIXELS`].
    #[error("image too large: {width}x{height}")]
    TooLarge {
        /// Its width.
        width: u64,
        /// Its height.
        height: u64,
    },
    /// Not an image the decoders know, or a broken one.
    #[error("failed to decode the image: {0}")]
    Decode(#[source] image::ImageError),
    /// An empty image (an original with a 0 side).
    #[error("empty image")]
    Empty,
    /// The encoder failed.
    #[error("failed to encode the thumb: {0}")]
    Encode(#[source] image::ImageError),
    /// A decoder or encoder panicked (PocketBase wraps `createThumb` for the same reason).
    #[error("image processing panicked")]
    Panicked,
}

impl From<resample::TooLarge> for ThumbError {
    fn from(e: resample::TooLarge) -> Self {
        ThumbError::TooLarge {
            width: e.width,
            height: e.height,
        }
    }
}

/// Makes the thumb of `original` (whose stored content type is `original_content_type`) at
/// `size`: its bytes and their content type (`image/jpeg`, `image/gif` or `image/png`).
pub(crate) fn make_thumb(
    original: &[u8],
    original_content_type: &str,
    size: &ThumbSize,
) -> Result<(Vec<u8>, &'static str), ThumbError> {
    catch_unwind(AssertUnwindSafe(|| {
        make_thumb_inner(original, original_content_type, size)
    }))
    .unwrap_or(Err(ThumbError::Panicked))
}

fn make_thumb_inner(
    original: &[u8],
    original_content_type: &str,
    size: &ThumbSize,
) -> Result<(Vec<u8>, &'static str), ThumbError> {
    let (width, height) = (size.width, size.height);
    let invalid = ThumbError::InvalidSize { width, height };
    if width == 0 && height == 0 {
        return Err(invalid);
    }
    let img = decode(original)?;
    let thumb = match size.mode {
        // A 0 side always resizes, as PocketBase does whatever the suffix.
        _ if width == 0 || height == 0 => resize(&img, width, height)?,
        ThumbMode::Resize => resize(&img, width, height)?,
        ThumbMode::Fit => fit(&img, width, height)?,
        ThumbMode::Fill(anchor) => fill(&img, width, height, anchor)?,
    };
    if thumb.width() == 0 || thumb.height() == 0 {
        return Err(ThumbError::Empty);
    }
    encode(&thumb, original_content_type)
}

/// Decodes the first frame of an image (format sniffed from the bytes, as Go's
/// `image.Decode` does), refusing more than [`resample::MAX_PIXELS`] before decoding, and applies a
/// JPEG's EXIF orientation (imaging's `AutoOrientation` reads it from JPEGs only).
fn decode(bytes: &[u8]) -> Result<RgbaImage, ThumbError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ThumbError::Decode(image::ImageError::IoError(e)))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let is_jpeg = reader.format() == Some(ImageFormat::Jpeg);
    let mut decoder = reader.into_decoder().map_err(ThumbError::Decode)?;
    let (w, h) = decoder.dimensions();
    check_pixels(u64::from(w), u64::from(h))?;
    if w == 0 || h == 0 {
        return Err(ThumbError::Empty);
    }
    // An unreadable orientation is no orientation (imaging ignores EXIF errors too).
    let orientation = if is_jpeg {
        decoder.orientation().ok()
    } else {
        None
    };
    let mut img = DynamicImage::from_decoder(decoder).map_err(ThumbError::Decode)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(img.into_rgba8())
}

fn check_pixels(width: u64, height: u64) -> Result<(), ThumbError> {
    resample::check_pixels(width, height).map_err(ThumbError::from)
}

/// A new `width`×`height` image, refusing more than [`resample::MAX_PIXELS`].
fn new_image(width: usize, height: usize) -> Result<RgbaImage, ThumbError> {
    check_pixels(width as u64, height as u64)?;
    Ok(RgbaImage::new(width as u32, height as u32))
}

/// imaging's `Encode`: JPEG for `image/jpeg` (a translucent image is flattened onto black,
/// as Go's JPEG encoder does with the premultiplied colours), GIF for `image/gif`, else PNG
/// (RGB when every pixel is opaque, RGBA otherwise, as Go's PNG encoder chooses).
fn encode(
    img: &RgbaImage,
    original_content_type: &str,
) -> Result<(Vec<u8>, &'static str), ThumbError> {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    let opaque = img.pixels().all(|p| p[3] == 255);
    match original_content_type {
        "image/jpeg" => {
            let rgb: Vec<u8> = img
                .pixels()
                .flat_map(|p| {
                    let a = u32::from(p[3]) * 0x101;
                    let premultiply = |c: u8| ((u32::from(c) * 0x101 * a / 0xFFFF) >> 8) as u8;
                    [premultiply(p[0]), premultiply(p[1]), premultiply(p[2])]
                })
                .collect();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .write_image(&rgb, w, h, ExtendedColorType::Rgb8)
                .map_err(ThumbError::Encode)?;
            Ok((out, "image/jpeg"))
        }
        "image/gif" => {
            GifEncoder::new_with_speed(&mut out, 10)
                .encode(img.as_raw(), w, h, ExtendedColorType::Rgba8)
                .map_err(ThumbError::Encode)?;
            Ok((out, "image/gif"))
        }
        _ => {
            let encoder = PngEncoder::new(&mut out);
            if opaque {
                let rgb: Vec<u8> = img.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
                encoder.write_image(&rgb, w, h, ExtendedColorType::Rgb8)
            } else {
                encoder.write_image(img.as_raw(), w, h, ExtendedColorType::Rgba8)
            }
            .map_err(ThumbError::Encode)?;
            Ok((out, "image/png"))
        }
    }
}

// --- imaging's transforms ---

/// imaging's `Resize` with the `Linear` filter: a 0 side follows the aspect ratio
/// (`max(1, floor(x + 0.5))`); the same size is a copy; otherwise horizontal then vertical
/// passes.
fn resize(img: &RgbaImage, width: u32, height: u32) -> Result<RgbaImage, ThumbError> {
    let (src_w, src_h) = (img.width() as usize, img.height() as usize);
    if src_w == 0 || src_h == 0 || (width == 0 && height == 0) {
        return Err(ThumbError::Empty);
    }
    let (mut dst_w, mut dst_h) = (width as usize, height as usize);
    if dst_w == 0 {
        let tmp = dst_h as f64 * src_w as f64 / src_h as f64;
        dst_w = aspect_side(tmp);
    }
    if dst_h == 0 {
        let tmp = dst_w as f64 * src_h as f64 / src_w as f64;
        dst_h = aspect_side(tmp);
    }
    check_pixels(dst_w as u64, dst_h as u64)?;
    if src_w == dst_w && src_h == dst_h {
        return Ok(img.clone());
    }
    if src_w != dst_w && src_h != dst_h {
        let tmp = resize_horizontal(img, dst_w)?;
        return Ok(resize_vertical(&tmp, dst_h)?);
    }
    if src_w != dst_w {
        return Ok(resize_horizontal(img, dst_w)?);
    }
    Ok(resize_vertical(img, dst_h)?)
}

/// `int(math.Max(1.0, math.Floor(tmp+0.5)))`, saturating where Go would overflow.
fn aspect_side(tmp: f64) -> usize {
    (tmp + 0.5).floor().max(1.0).min(u32::MAX as f64) as usize
}

/// imaging's `Fit`: an image that fits is copied; otherwise the side that overflows more is
/// set to the box and the other truncated (`int(…)`), then resized (a side truncated to 0
/// follows the aspect ratio).
fn fit(img: &RgbaImage, max_w: u32, max_h: u32) -> Result<RgbaImage, ThumbError> {
    if max_w == 0 || max_h == 0 {
        return Err(ThumbError::InvalidSize {
            width: max_w,
            height: max_h,
        });
    }
    let (src_w, src_h) = img.dimensions();
    if src_w <= max_w && src_h <= max_h {
        return Ok(img.clone());
    }
    let src_aspect = f64::from(src_w) / f64::from(src_h);
    let max_aspect = f64::from(max_w) / f64::from(max_h);
    let (new_w, new_h) = if src_aspect > max_aspect {
        (max_w, (f64::from(max_w) / src_aspect) as u32)
    } else {
        ((f64::from(max_h) * src_aspect) as u32, max_h)
    };
    resize(img, new_w, new_h)
}

/// imaging's `Fill`: the same size is a copy; a source of at least 100×100 is first cropped
/// to the target's aspect ratio at the anchor, then resized; a smaller one is first resized
/// to cover, then cropped.
fn fill(img: &RgbaImage, width: u32, height: u32, anchor: Anchor) -> Result<RgbaImage, ThumbError> {
    if width == 0 || height == 0 {
        return Err(ThumbError::InvalidSize { width, height });
    }
    let (src_w, src_h) = img.dimensions();
    if src_w == width && src_h == height {
        return Ok(img.clone());
    }
    check_pixels(u64::from(width), u64::from(height))?;
    let src_aspect = f64::from(src_w) / f64::from(src_h);
    let dst_aspect = f64::from(width) / f64::from(height);
    if src_w >= 100 && src_h >= 100 {
        // cropAndResize
        let tmp = if src_aspect < dst_aspect {
            let crop_h = f64::from(src_w) * f64::from(height) / f64::from(width);
            crop_anchor(
                img,
                src_w as usize,
                (crop_h.max(1.0) + 0.5) as usize,
                anchor,
            )?
        } else {
            let crop_w = f64::from(src_h) * f64::from(width) / f64::from(height);
            crop_anchor(
                img,
                (crop_w.max(1.0) + 0.5) as usize,
                src_h as usize,
                anchor,
            )?
        };
        resize(&tmp, width, height)
    } else {
        // resizeAndCrop
        let tmp = if src_aspect < dst_aspect {
            resize(img, width, 0)?
        } else {
            resize(img, 0, height)?
        };
        crop_anchor(&tmp, width as usize, height as usize, anchor)
    }
}

/// imaging's `CropAnchor` for the three anchors PocketBase uses: the `width`×`height`
/// rectangle at the anchor point (Go's truncating division), intersected with the image.
fn crop_anchor(
    img: &RgbaImage,
    width: usize,
    height: usize,
    anchor: Anchor,
) -> Result<RgbaImage, ThumbError> {
    let (src_w, src_h) = (i64::from(img.width()), i64::from(img.height()));
    let (w, h) = (width as i64, height as i64);
    let x = (src_w - w) / 2;
    let y = match anchor {
        Anchor::Center => (src_h - h) / 2,
        Anchor::Top => 0,
        Anchor::Bottom => src_h - h,
    };
    let (x0, y0) = (x.max(0), y.max(0));
    let (x1, y1) = ((x + w).min(src_w), (y + h).min(src_h));
    if x1 <= x0 || y1 <= y0 {
        return Err(ThumbError::Empty);
    }
    let (cw, ch) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let mut dst = new_image(cw, ch)?;
    let src = img.as_raw();
    let stride = src_w as usize * 4;
    for (row, y) in (y0 as usize..y1 as usize).enumerate() {
        let from = y * stride + x0 as usize * 4;
        dst.as_mut()[row * cw * 4..(row + 1) * cw * 4].copy_from_slice(&src[from..from + cw * 4]);
    }
    Ok(dst)
}

#[cfg(test)]
mod tests {
    use super::super::resample::{clamp, precompute_weights};
    use super::*;
    use basalt_domain::files::parse_thumb_size;
    use image::Rgba;

    const RED: Rgba<u8> = Rgba([255, 0, 0, 255]);
    const GREEN: Rgba<u8> = Rgba([0, 255, 0, 255]);
    const BLUE: Rgba<u8> = Rgba([0, 0, 255, 255]);

    /// 200×100: left half red, right half blue.
    fn wide() -> RgbaImage {
        RgbaImage::from_fn(200, 100, |x, _| if x < 100 { RED } else { BLUE })
    }

    /// 100×300: top third red, middle green, bottom blue.
    fn tall() -> RgbaImage {
        RgbaImage::from_fn(100, 300, |_, y| match y {
            0..100 => RED,
            100..200 => GREEN,
            _ => BLUE,
        })
    }

    fn png(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    fn jpeg(img: &RgbaImage) -> Vec<u8> {
        let rgb = DynamicImage::ImageRgba8(img.clone()).into_rgb8();
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90)
            .write_image(
                rgb.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    fn gif(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        GifEncoder::new_with_speed(&mut out, 10)
            .encode(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    fn webp(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    fn thumb(original: &[u8], ct: &str, size: &str) -> (RgbaImage, &'static str, ImageFormat) {
        let size = parse_thumb_size(size).expect("valid size");
        let (bytes, ct) = make_thumb(original, ct, &size).expect("thumb");
        let format = image::guess_format(&bytes).unwrap();
        let img = image::load_from_memory(&bytes).unwrap().into_rgba8();
        (img, ct, format)
    }

    fn dims(original: &[u8], size: &str) -> (u32, u32) {
        thumb(original, "image/png", size).0.dimensions()
    }

    #[test]
    fn sizes_of_a_wide_source() {
        let src = png(&wide());
        for (size, want) in [
            ("50x50", (50, 50)),
            ("50x50t", (50, 50)),
            ("50x50b", (50, 50)),
            ("50x50f", (50, 25)),
            ("0x40", (80, 40)),
            ("40x0", (40, 20)),
            ("0x40f", (80, 40)),
            ("70x30", (70, 30)),
            ("70x30f", (60, 30)),
            ("400x0", (400, 200)),
            ("0x300", (600, 300)),
            ("400x400", (400, 400)),
            ("300x300f", (200, 100)),
            ("200x100", (200, 100)),
            ("200x100f", (200, 100)),
            ("1x1", (1, 1)),
            ("1x0", (1, 1)),
        ] {
            assert_eq!(dims(&src, size), want, "{size}");
        }
    }

    #[test]
    fn sizes_of_a_tall_source() {
        let src = png(&tall());
        for (size, want) in [
            ("50x50", (50, 50)),
            ("50x50t", (50, 50)),
            ("50x50b", (50, 50)),
            ("50x50f", (16, 50)),
            ("0x40", (13, 40)),
            ("40x0", (40, 120)),
            ("70x30", (70, 30)),
            ("70x30f", (10, 30)),
            ("400x0", (400, 1200)),
            ("100x100f", (33, 100)),
            ("500x500f", (100, 300)),
        ] {
            assert_eq!(dims(&src, size), want, "{size}");
        }
    }

    #[test]
    fn sizes_of_small_and_extreme_sources() {
        // Under 100×100 Fill resizes to cover first, then crops.
        let small = png(&RgbaImage::from_pixel(40, 20, RED));
        assert_eq!(dims(&small, "50x50"), (50, 50));
        assert_eq!(dims(&small, "10x30b"), (10, 30));
        // A Fit side truncated to 0 follows the aspect ratio, at least 1.
        let line = png(&RgbaImage::from_pixel(1000, 1, RED));
        assert_eq!(dims(&line, "10x10f"), (10, 1));
        assert_eq!(dims(&line, "0x1"), (1000, 1));
        assert_eq!(dims(&line, "7x0"), (7, 1));
    }

    #[test]
    fn fill_anchors_crop_different_parts() {
        let src = png(&tall());
        let top = thumb(&src, "image/png", "50x50t").0;
        let bottom = thumb(&src, "image/png", "50x50b").0;
        let center = thumb(&src, "image/png", "50x50").0;
        for (x, y) in [(0, 0), (25, 25), (49, 49)] {
            assert_eq!(*top.get_pixel(x, y), RED);
            assert_eq!(*bottom.get_pixel(x, y), BLUE);
            assert_eq!(*center.get_pixel(x, y), GREEN);
        }
        // A wide source is cropped from the horizontal middle whatever the anchor.
        let src = png(&wide());
        for size in ["50x50", "50x50t", "50x50b"] {
            let img = thumb(&src, "image/png", size).0;
            assert_eq!(*img.get_pixel(0, 25), RED, "{size}");
            assert_eq!(*img.get_pixel(49, 25), BLUE, "{size}");
        }
    }

    #[test]
    fn output_format_follows_the_original_content_type() {
        let img = wide();
        let (t, ct, format) = thumb(&jpeg(&img), "image/jpeg", "50x50");
        assert_eq!(
            (ct, format, t.dimensions()),
            ("image/jpeg", ImageFormat::Jpeg, (50, 50))
        );
        let (t, ct, format) = thumb(&gif(&img), "image/gif", "50x50f");
        assert_eq!(
            (ct, format, t.dimensions()),
            ("image/gif", ImageFormat::Gif, (50, 25))
        );
        let (t, ct, format) = thumb(&webp(&img), "image/webp", "0x40");
        assert_eq!(
            (ct, format, t.dimensions()),
            ("image/png", ImageFormat::Png, (80, 40))
        );
        let (_, ct, format) = thumb(&png(&img), "image/png", "10x10");
        assert_eq!((ct, format), ("image/png", ImageFormat::Png));
        // Only `image/jpeg` gets a JPEG, as in PocketBase's switch.
        let (_, ct, format) = thumb(&jpeg(&img), "image/jpg", "10x10");
        assert_eq!((ct, format), ("image/png", ImageFormat::Png));
        // The format is decoded from the bytes, not the declared type.
        let (_, ct, format) = thumb(&png(&img), "image/jpeg", "10x10");
        assert_eq!((ct, format), ("image/jpeg", ImageFormat::Jpeg));
    }

    #[test]
    fn png_is_rgb_when_opaque_and_rgba_otherwise() {
        let size = parse_thumb_size("10x10").unwrap();
        let (bytes, _) = make_thumb(&png(&wide()), "image/png", &size).unwrap();
        let color = image::load_from_memory(&bytes).unwrap().color();
        assert_eq!(color, image::ColorType::Rgb8);
        let translucent = RgbaImage::from_pixel(20, 20, Rgba([1, 2, 3, 100]));
        let (bytes, _) = make_thumb(&png(&translucent), "image/png", &size).unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.color(), image::ColorType::Rgba8);
        assert_eq!(*img.into_rgba8().get_pixel(5, 5), Rgba([1, 2, 3, 100]));
    }

    #[test]
    fn resampling_weights_colour_by_alpha() {
        // A transparent red pixel lends no red: imaging weights colours by alpha.
        let mut img = RgbaImage::new(2, 1);
        img.put_pixel(0, 0, Rgba([255, 0, 0, 0]));
        img.put_pixel(1, 0, Rgba([0, 0, 255, 255]));
        let out = resize(&img, 1, 1).unwrap();
        assert_eq!(*out.get_pixel(0, 0), Rgba([0, 0, 255, 128]));
        // All transparent stays 0,0,0,0.
        let clear = RgbaImage::from_pixel(4, 4, Rgba([9, 9, 9, 0]));
        assert_eq!(
            *resize(&clear, 2, 2).unwrap().get_pixel(1, 1),
            Rgba([0, 0, 0, 0])
        );
    }

    #[test]
    fn linear_weights_match_imaging() {
        // Upscaling 2 → 4: centres at -0.25, 0.25, 0.75, 1.25 of the source.
        let w = precompute_weights(4, 2);
        let runs: Vec<(usize, Vec<f64>)> = w.into_iter().map(|x| (x.start, x.w)).collect();
        assert_eq!(
            runs,
            vec![
                (0, vec![1.0]),
                (0, vec![0.75, 0.25]),
                (0, vec![0.25, 0.75]),
                (1, vec![1.0])
            ]
        );
        // Halving: the kernel is widened by the scale (2): weights .75, .75, .25 normalised.
        let w = precompute_weights(2, 4);
        let (big, small) = (0.75 / 1.75, 0.25 / 1.75);
        assert_eq!((w[0].start, w[0].w.clone()), (0, vec![big, big, small]));
        assert_eq!((w[1].start, w[1].w.clone()), (1, vec![small, big, big]));
        let ramp = RgbaImage::from_fn(4, 1, |x, _| Rgba([(x * 80) as u8, 0, 0, 255]));
        let out = resize(&ramp, 2, 1).unwrap();
        assert_eq!(out.get_pixel(0, 0)[0], 57);
        assert_eq!(out.get_pixel(1, 0)[0], 183);
    }

    #[test]
    fn clamp_rounds_half_up_and_saturates() {
        assert_eq!(clamp(-3.0), 0);
        assert_eq!(clamp(0.49), 0);
        assert_eq!(clamp(0.5), 1);
        assert_eq!(clamp(254.5), 255);
        assert_eq!(clamp(300.0), 255);
        assert_eq!(clamp(f64::NAN), 0);
    }

    #[test]
    fn invalid_sizes_are_errors() {
        let src = png(&wide());
        let zero = ThumbSize {
            width: 0,
            height: 0,
            mode: ThumbMode::Resize,
        };
        assert!(matches!(
            make_thumb(&src, "image/png", &zero),
            Err(ThumbError::InvalidSize { .. })
        ));
        // A 0 side with another mode still resizes, as PocketBase does.
        let fit_zero = ThumbSize {
            width: 0,
            height: 20,
            mode: ThumbMode::Fit,
        };
        let (bytes, _) = make_thumb(&src, "image/png", &fit_zero).unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (40, 20));
        // Too many output pixels.
        let huge = ThumbSize {
            width: 100_000,
            height: 100_000,
            mode: ThumbMode::Fill(Anchor::Center),
        };
        assert!(matches!(
            make_thumb(&src, "image/png", &huge),
            Err(ThumbError::TooLarge { .. })
        ));
        let huge_resize = ThumbSize {
            width: 0,
            height: 4_000_000,
            mode: ThumbMode::Resize,
        };
        assert!(matches!(
            make_thumb(&src, "image/png", &huge_resize),
            Err(ThumbError::TooLarge { .. })
        ));
    }

    /// The CRC-32 of PNG chunks.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        // A PNG header claiming 100000×100000 pixels.
        let mut bomb = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&100_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        bomb.extend_from_slice(&13u32.to_be_bytes());
        bomb.extend_from_slice(&ihdr);
        bomb.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        for (kind, data) in [
            (
                &b"IDAT"[..],
                &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
            ),
            (b"IEND", &[]),
        ] {
            let chunk = [kind, data].concat();
            bomb.extend_from_slice(&(data.len() as u32).to_be_bytes());
            bomb.extend_from_slice(&chunk);
            bomb.extend_from_slice(&crc32(&chunk).to_be_bytes());
        }
        let size = parse_thumb_size("10x10").unwrap();
        let r = make_thumb(&bomb, "image/png", &size);
        assert!(matches!(r, Err(ThumbError::TooLarge { .. })), "{r:?}");
        // A GIF whose screen is 65535×65535.
        let mut bomb = b"GIF89a".to_vec();
        bomb.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0]);
        bomb.extend_from_slice(&[0x2C, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0]);
        bomb.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]);
        let r = make_thumb(&bomb, "image/gif", &size);
        assert!(matches!(r, Err(ThumbError::TooLarge { .. })), "{r:?}");
    }

    #[test]
    fn broken_inputs_are_errors_not_panics() {
        let img = wide();
        let size = parse_thumb_size("50x50").unwrap();
        let fixtures = [
            ("image/png", png(&img)),
            ("image/jpeg", jpeg(&img)),
            ("image/gif", gif(&img)),
            ("image/webp", webp(&img)),
        ];
        for (ct, bytes) in &fixtures {
            for cut in [
                0,
                1,
                4,
                8,
                12,
                16,
                30,
                64,
                bytes.len() / 3,
                bytes.len() / 2,
                bytes.len() - 1,
            ] {
                // Must not panic; a cut file may still decode partially.
                let _ = make_thumb(&bytes[..cut.min(bytes.len())], ct, &size);
            }
            assert!(
                make_thumb(&bytes[..8.min(bytes.len())], ct, &size).is_err(),
                "{ct}"
            );
            // The magic number, then garbage.
            let mut garbage = bytes[..12].to_vec();
            garbage.extend((0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
            let _ = make_thumb(&garbage, ct, &size);
            // Bytes flipped through the body.
            let mut flipped = bytes.clone();
            for i in (20..flipped.len()).step_by(7) {
                flipped[i] ^= 0x5A;
            }
            let _ = make_thumb(&flipped, ct, &size);
        }
        assert!(matches!(
            make_thumb(b"not an image at all", "image/png", &size),
            Err(ThumbError::Decode(_))
        ));
        assert!(make_thumb(&[], "image/png", &size).is_err());
    }

    #[test]
    fn jpeg_exif_orientation_is_applied() {
        // A 20×10 JPEG with an EXIF APP1 saying "rotate 90° clockwise" (6) becomes 10×20.
        let src = jpeg(&RgbaImage::from_pixel(20, 10, RED));
        let mut exif = b"Exif\0\0MM\0\x2A\0\0\0\x08\0\x01".to_vec();
        exif.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        exif.extend_from_slice(&[0, 0, 0, 0]);
        let mut with_exif = src[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(&exif);
        with_exif.extend_from_slice(&src[2..]);
        assert_eq!(dims(&with_exif, "0x40"), (20, 40));
        assert_eq!(dims(&src, "0x40"), (80, 40));
    }
}
