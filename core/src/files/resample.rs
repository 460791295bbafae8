//! The resampling of thumbs: imaging's `Linear` filter, one pass per axis, with imaging's
//! arithmetic (`f64`, colours weighted by alpha, round half up), so a thumb's pixels are the
//! ones PocketBase's would be. Laid out for speed: each output pixel's weights are one
//! contiguous run of source pixels, and the vertical pass sums whole rows at a time (the
//! same terms in the same order per pixel as a column-by-column pass, so the same result).

use image::RgbaImage;

/// The most pixels an original (and any image made on the way to a thumb, the thumb
/// included) may have: 64 megapixels, 256 MiB as RGBA. Larger ones are refused before
/// their pixels are decoded or allocated (decompression bombs, absurd thumb sizes).
pub(crate) const MAX_PIXELS: u64 = 64 * 1024 * 1024;

/// An image of more than [`MAX_PIXELS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooLarge {
    /// Its width.
    pub(crate) width: u64,
    /// Its height.
    pub(crate) height: u64,
}

/// Refuses a `width`×`height` image of more than [`MAX_PIXELS`].
pub(crate) fn check_pixels(width: u64, height: u64) -> Result<(), TooLarge> {
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(TooLarge { width, height });
    }
    Ok(())
}

/// The weights of one output pixel: `w[i]` for source pixel `start + i` (imaging's list of
/// non-zero weights, with a zero wherever the run has a gap, which adds nothing).
#[derive(Debug, PartialEq)]
pub(crate) struct Weights {
    pub(crate) start: usize,
    pub(crate) w: Vec<f64>,
}

/// imaging's `precomputeWeights` for the `Linear` filter (support 1, the kernel widened by
/// the scale when shrinking), weights normalised to sum 1.
pub(crate) fn precompute_weights(dst_size: usize, src_size: usize) -> Vec<Weights> {
    let du = src_size as f64 / dst_size as f64;
    let scale = du.max(1.0);
    let ru = (scale * 1.0).ceil();
    let linear = |x: f64| {
        let x = x.abs();
        if x < 1.0 { 1.0 - x } else { 0.0 }
    };
    (0..dst_size)
        .map(|v| {
            let fu = (v as f64 + 0.5) * du - 0.5;
            let begin = (fu - ru).ceil().max(0.0) as usize;
            let end = ((fu + ru).floor() as i64).min(src_size as i64 - 1);
            let mut taken: Vec<(usize, f64)> = Vec::new();
            let mut sum = 0.0;
            let mut u = begin as i64;
            while u <= end {
                let w = linear((u as f64 - fu) / scale);
                if w != 0.0 {
                    sum += w;
                    taken.push((u as usize, w));
                }
                u += 1;
            }
            if sum != 0.0 {
                for (_, w) in &mut taken {
                    *w /= sum;
                }
            }
            let start = taken.first().map_or(0, |&(u, _)| u);
            let len = taken.last().map_or(0, |&(u, _)| u + 1 - start);
            let mut w = vec![0.0; len];
            for (u, weight) in taken {
                w[u - start] = weight;
            }
            Weights { start, w }
        })
        .collect()
}

/// imaging's `clamp`: round half up, saturate to 0..=255.
pub(crate) fn clamp(x: f64) -> u8 {
    let v = (x + 0.5) as i64;
    v.clamp(0, 255) as u8
}

/// Writes the pixel of the alpha-weighted sums `[r, g, b, a]`: colours divided by the
/// alpha, as imaging does (transparent pixels lend no colour); no alpha stays `0,0,0,0`.
fn put_pixel(sums: &[f64], out: &mut [u8]) {
    let a = sums[3];
    if a != 0.0 {
        let inv = 1.0 / a;
        out[0] = clamp(sums[0] * inv);
        out[1] = clamp(sums[1] * inv);
        out[2] = clamp(sums[2] * inv);
        out[3] = clamp(a);
    } else {
        out.fill(0);
    }
}

/// Adds the source pixel `s` with weight `w` to the sums `acc`.
#[inline(always)]
fn add(acc: &mut [f64], s: &[u8], w: f64) {
    let aw = f64::from(s[3]) * w;
    acc[0] += f64::from(s[0]) * aw;
    acc[1] += f64::from(s[1]) * aw;
    acc[2] += f64::from(s[2]) * aw;
    acc[3] += aw;
}

/// A new `width`×`height` image, refusing more than [`MAX_PIXELS`].
fn new_image(width: usize, height: usize) -> Result<RgbaImage, TooLarge> {
    check_pixels(width as u64, height as u64)?;
    Ok(RgbaImage::new(width as u32, height as u32))
}

/// Resizes the width of `img` to `width`.
pub(crate) fn resize_horizontal(img: &RgbaImage, width: usize) -> Result<RgbaImage, TooLarge> {
    let (src_w, src_h) = (img.width() as usize, img.height() as usize);
    let mut dst = new_image(width, src_h)?;
    let weights = precompute_weights(width, src_w);
    let src = img.as_raw();
    let out: &mut [u8] = dst.as_mut();
    for (srow, orow) in src
        .chunks_exact(src_w * 4)
        .zip(out.chunks_exact_mut(width * 4))
    {
        for (o, wt) in orow.chunks_exact_mut(4).zip(&weights) {
            let px = &srow[wt.start * 4..(wt.start + wt.w.len()) * 4];
            let mut acc = [0.0f64; 4];
            for (s, &w) in px.chunks_exact(4).zip(&wt.w) {
                add(&mut acc, s, w);
            }
            put_pixel(&acc, o);
        }
    }
    Ok(dst)
}

/// Resizes the height of `img` to `height`.
pub(crate) fn resize_vertical(img: &RgbaImage, height: usize) -> Result<RgbaImage, TooLarge> {
    let (src_w, src_h) = (img.width() as usize, img.height() as usize);
    let mut dst = new_image(src_w, height)?;
    let weights = precompute_weights(height, src_h);
    let src = img.as_raw();
    let out: &mut [u8] = dst.as_mut();
    let mut acc = vec![0.0f64; src_w * 4];
    for (orow, wt) in out.chunks_exact_mut(src_w * 4).zip(&weights) {
        acc.fill(0.0);
        for (i, &w) in wt.w.iter().enumerate() {
            let u = wt.start + i;
            let srow = &src[u * src_w * 4..(u + 1) * src_w * 4];
            for (a, s) in acc.chunks_exact_mut(4).zip(srow.chunks_exact(4)) {
                add(a, s, w);
            }
        }
        for (o, a) in orow.chunks_exact_mut(4).zip(acc.chunks_exact(4)) {
            put_pixel(a, o);
        }
    }
    Ok(dst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    /// The straightforward per-pixel form of imaging's passes (column by column for the
    /// vertical one), which the fast passes must match bit for bit.
    fn reference(img: &RgbaImage, width: usize, height: usize) -> RgbaImage {
        let (src_w, src_h) = (img.width() as usize, img.height() as usize);
        let raw = img.as_raw();
        let wh = precompute_weights(width, src_w);
        let mut tmp = RgbaImage::new(width as u32, src_h as u32);
        for y in 0..src_h {
            for (x, wt) in wh.iter().enumerate() {
                let mut acc = [0.0; 4];
                for (i, &w) in wt.w.iter().enumerate() {
                    let j = (y * src_w + wt.start + i) * 4;
                    add(&mut acc, &raw[j..j + 4], w);
                }
                let j = (y * width + x) * 4;
                put_pixel(&acc, &mut tmp.as_mut()[j..j + 4]);
            }
        }
        let wv = precompute_weights(height, src_h);
        let raw = tmp.as_raw().clone();
        let mut out = RgbaImage::new(width as u32, height as u32);
        for x in 0..width {
            for (y, wt) in wv.iter().enumerate() {
                let mut acc = [0.0; 4];
                for (i, &w) in wt.w.iter().enumerate() {
                    let j = ((wt.start + i) * width + x) * 4;
                    add(&mut acc, &raw[j..j + 4], w);
                }
                let j = (y * width + x) * 4;
                put_pixel(&acc, &mut out.as_mut()[j..j + 4]);
            }
        }
        out
    }

    #[test]
    fn fast_passes_match_the_per_pixel_form() {
        // a noisy image with varying alpha (fully transparent pixels included)
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        };
        let img = RgbaImage::from_fn(173, 91, |_, _| {
            let a = match next() % 4 {
                0 => 0,
                1 => 255,
                _ => next(),
            };
            Rgba([next(), next(), next(), a])
        });
        for (w, h) in [
            (100, 100),
            (31, 57),
            (300, 200),
            (173, 40),
            (12, 91),
            (1, 1),
        ] {
            let fast = resize_vertical(&resize_horizontal(&img, w).unwrap(), h).unwrap();
            assert_eq!(fast, reference(&img, w, h), "{w}x{h}");
        }
    }

    #[test]
    fn weights_are_one_contiguous_run() {
        let w = precompute_weights(2, 4);
        let (big, small) = (0.75 / 1.75, 0.25 / 1.75);
        assert_eq!(
            w,
            vec![
                Weights {
                    start: 0,
                    w: vec![big, big, small]
                },
                Weights {
                    start: 1,
                    w: vec![small, big, big]
                },
            ]
        );
    }
}
