//! The cron expression check of `backups.cron`: PocketBase's `cron.NewSchedule` parser, kept
//! to what validation needs (does it parse, and if not, PocketBase's reason).

use crate::cron::MACROS;

/// The bounds of minute, hour, day of month, month and day of week.
const BOUNDS: [(i64, i64); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];

/// `Ok` when `expr` is a valid 5-segment expression or macro; otherwise PocketBase's reason
/// (as Go words it, lowercase and without a full stop).
pub(crate) fn check_cron(expr: &str) -> Result<(), String> {
    let expr = MACROS
        .iter()
        .find(|(name, _)| *name == expr)
        .map_or(expr, |(_, v)| v);
    let segments: Vec<&str> = expr.split(' ').collect();
    if segments.len() != 5 {
        return Err(
            "invalid cron expression - must be a valid macro or to have exactly 5 space \
                    separated segments"
                .into(),
        );
    }
    for (segment, (min, max)) in segments.iter().zip(BOUNDS) {
        check_segment(segment, min, max)?;
    }
    Ok(())
}

/// Go's `strconv.Atoi`, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    s.parse::<i64>().map_err(|e| {
        let why = match e.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "value out of range"
            }
            _ => "invalid syntax",
        };
        format!("strconv.Atoi: parsing {s:?}: {why}")
    })
}

fn check_segment(segment: &str, min: i64, max: i64) -> Result<(), String> {
    for part in segment.split(',') {
        let step_parts: Vec<&str> = part.split('/').collect();
        let step = match step_parts.as_slice() {
            [_] => 1,
            [_, step] => {
                let step = atoi(step)?;
                if step < 1 || step > max {
                    return Err(format!(
                        "invalid segment step boundary - the step must be between 1 and the {max}"
                    ));
                }
                step
            }
            _ => {
                return Err(
                    "invalid segment step format - must be in the format */n or 1-30/n".into(),
                );
            }
        };
        if step_parts[0] == "*" {
            continue;
        }
        match step_parts[0].split('-').collect::<Vec<_>>().as_slice() {
            [single] => {
                if step != 1 {
                    return Err(
                        "invalid segment step - step > 1 could be used only with the \
                                wildcard or range format"
                            .into(),
                    );
                }
                let v = atoi(single)?;
                if v < min || v > max {
                    return Err(
                        "invalid segment value - must be between the min and max of the segment"
                            .into(),
                    );
                }
            }
            [from, to] => {
                let from = atoi(from)?;
                if from < min || from > max {
                    return Err(format!(
                        "invalid segment range minimum - must be between {min} and {max}"
                    ));
                }
                let to = atoi(to)?;
                if to < from || to > max {
                    return Err(format!(
                        "invalid segment range maximum - must be between {from} and {max}"
                    ));
                }
            }
            _ => {
                return Err(
                    "invalid segment range format - the range must have 1 or 2 parts".into(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_cron;

    #[test]
    fn valid_expressions_and_macros() {
        for ok in [
            "* * * * *",
            "*/5 * * * *",
            "0 0 1 1 *",
            "1-30/2 0,12 * 1-12 0-6",
            "+1 * * * *",
            "@hourly",
            "@annually",
        ] {
            assert_eq!(check_cron(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invalid_expressions_give_pocketbases_reasons() {
        // The reasons as PocketBase v0.40 words them (checked against the reference binary).
        let cases = [
            (
                "bad",
                "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
            ),
            (
                "* *  * * *",
                "invalid cron expression - must be a valid macro or to have exactly 5 space separated segments",
            ),
            (
                "61 * * * *",
                "invalid segment value - must be between the min and max of the segment",
            ),
            ("x * * * *", "strconv.Atoi: parsing \"x\": invalid syntax"),
            ("-1 * * * *", "strconv.Atoi: parsing \"\": invalid syntax"),
            (
                "*/0 * * * *",
                "invalid segment step boundary - the step must be between 1 and the 59",
            ),
            (
                "5/2 * * * *",
                "invalid segment step - step > 1 could be used only with the wildcard or range format",
            ),
            (
                "1-2-3 * * * *",
                "invalid segment range format - the range must have 1 or 2 parts",
            ),
            (
                "*/2/3 * * * *",
                "invalid segment step format - must be in the format */n or 1-30/n",
            ),
            (
                "5-1 * * * *",
                "invalid segment range maximum - must be between 5 and 59",
            ),
            (
                "* * 0 * *",
                "invalid segment value - must be between the min and max of the segment",
            ),
            (
                "* * * * 1-9",
                "invalid segment range maximum - must be between 1 and 6",
            ),
        ];
        for (expr, why) in cases {
            assert_eq!(check_cron(expr), Err(why.to_owned()), "{expr}");
        }
    }
}
