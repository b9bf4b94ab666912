//! Charts drawn on the server as SVG with plotters, so that a page needs no script and a PDF
//! report (typst) can embed exactly the chart the page shows.
//!
//! Two shapes cover what the dashboards need: horizontal bars for categories with long
//! Vietnamese names (fields, units, bodies) and vertical bars for a count per year (trends).
//! Each chart carries its title as an SVG `<title>` and `role="img"`; pages put the same
//! numbers in a table beside it, which is what screen readers should read.
//!
//! Text is measured with Be Vietnam Pro (the pages' font, registered with plotters' ab_glyph
//! backend), so labels are laid out for the glyphs that will actually show them.

use std::fmt::Write as _;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The family name the SVG asks for; pages declare it with `@font-face`, typst has it built in.
pub const FONT_FAMILY: &str = "Be Vietnam Pro";

/// The font the pages show (its OFL licence and source beside it in `fonts/`), for text metrics.
static FONT: &[u8] = include_bytes!("../fonts/BeVietnamPro-Regular.ttf");

const WIDTH: u32 = 720;
const LABEL_SIZE: f64 = 13.0;
const MAX_LABEL_PX: u32 = 260;

/// Colours that keep a contrast of at least 4.5:1 against white and stay apart for the
/// common forms of colour blindness (blue, orange, green, purple, grey).
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x1f, 0x4e, 0x79),
    RGBColor(0xa3, 0x4a, 0x00),
    RGBColor(0x1b, 0x6e, 0x3b),
    RGBColor(0x6a, 0x3d, 0x9a),
    RGBColor(0x55, 0x5f, 0x6b),
];
const INK: RGBColor = RGBColor(0x1f, 0x29, 0x33);
const GRID: RGBColor = RGBColor(0xd9, 0xde, 0xe3);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart's font could not be loaded")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
}

/// One named row of values, one value per category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Categories down the side: long names read well.
    Horizontal,
    /// Categories along the bottom: years.
    Vertical,
}

#[derive(Debug, Clone)]
pub struct BarChart {
    /// Unique on the page: the SVG's `<title>` is referenced by `{id}-title`.
    pub id: String,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub orientation: Orientation,
    /// Values are percentages: the axis runs to at least 100 and a rule marks 100 %.
    pub percent: bool,
}

fn register_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn draw_err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError::Draw(format!("{e:?}"))
}

/// A number as Vietnamese write it: `.` between thousands, `,` before decimals.
pub fn format_number(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    // Values on a chart are counts and sums far below 2^53; truncation is intended.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = abs.trunc() as u64;
    let tenth = ((abs - abs.trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if tenth > 0 {
        let _ = write!(out, ",{tenth}");
    }
    out
}

/// A label cut to fit `max_px`, with an ellipsis when cut (the table beside has it whole).
fn fit_label(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    label: &str,
    style: &TextStyle,
    max_px: u32,
) -> String {
    let width = |s: &str| {
        area.estimate_text_size(s, style)
            .map(|(w, _)| w)
            .unwrap_or(0)
    };
    if width(label) <= max_px {
        return label.to_string();
    }
    let mut chars: Vec<char> = label.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&cut) <= max_px {
            return cut;
        }
    }
    "…".to_string()
}

/// Draws the chart and returns a standalone, responsive `<svg>` element.
pub fn bars(chart: &BarChart) -> Result<String, ChartError> {
    register_font()?;
    let n = chart.categories.len().max(1);
    let groups = chart.series.len().max(1);
    let legend_h: u32 = if chart.series.len() > 1 { 30 } else { 6 };
    let height = match chart.orientation {
        Orientation::Horizontal => {
            let row = u32::try_from(groups).unwrap_or(4).min(4) * 14 + 12;
            legend_h + 36 + row * u32::try_from(n).unwrap_or(50).min(50)
        }
        Orientation::Vertical => legend_h + 300,
    };
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let top = if chart.percent {
        max.max(100.0) * 1.08
    } else {
        nice_top(max)
    };
    // Small counts get one tick per whole number, never "0,5".
    let ticks = if !chart.percent && top <= 10.0 {
        // `top` is a small whole number here.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = top as usize;
        whole + 1
    } else {
        6
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let label_style = TextStyle::from((FONT_FAMILY, LABEL_SIZE).into_font()).color(&INK);
        let value_style = TextStyle::from((FONT_FAMILY, 11.5).into_font()).color(&INK);

        if chart.series.len() > 1 {
            let mut x = 8;
            for (i, s) in chart.series.iter().enumerate() {
                let colour = PALETTE[i % PALETTE.len()];
                root.draw(&Rectangle::new([(x, 9), (x + 14, 23)], colour.filled()))
                    .map_err(draw_err)?;
                root.draw(&Text::new(
                    s.name.clone(),
                    (x + 20, 16),
                    label_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(draw_err)?;
                let w = root
                    .estimate_text_size(&s.name, &label_style)
                    .map(|(w, _)| w)
                    .unwrap_or(80);
                x += i32::try_from(w).unwrap_or(80) + 44;
            }
        }
        let body = root.margin(legend_h, 4, 4, 16);

        let labels: Vec<String> = chart
            .categories
            .iter()
            .map(|c| fit_label(&root, c, &label_style, MAX_LABEL_PX))
            .collect();
        let n_f = f64::from(u32::try_from(n).unwrap_or(u32::MAX));
        let slot = 0.8 / f64::from(u32::try_from(groups).unwrap_or(1));

        match chart.orientation {
            Orientation::Horizontal => {
                let label_px = labels
                    .iter()
                    .filter_map(|l| root.estimate_text_size(l, &label_style).ok())
                    .map(|(w, _)| w)
                    .max()
                    .unwrap_or(40)
                    + 12;
                let mut cc = ChartBuilder::on(&body)
                    .x_label_area_size(28)
                    .y_label_area_size(label_px)
                    .build_cartesian_2d(0.0..top, 0.0..n_f)
                    .map_err(draw_err)?;
                cc.configure_mesh()
                    .disable_y_mesh()
                    .y_labels(0)
                    .x_labels(ticks)
                    .x_label_formatter(&|v| axis_label(*v, chart.percent))
                    .x_label_style(value_style.clone())
                    .max_light_lines(0)
                    .bold_line_style(GRID)
                    .axis_style(INK)
                    .draw()
                    .map_err(draw_err)?;
                for (i, label) in labels.iter().enumerate() {
                    let y = n_f - f64::from(u32::try_from(i).unwrap_or(0)) - 0.5;
                    let (px, py) = cc.backend_coord(&(0.0, y));
                    root.draw(&Text::new(
                        label.clone(),
                        (px - 8, py),
                        label_style.pos(Pos::new(HPos::Right, VPos::Center)),
                    ))
                    .map_err(draw_err)?;
                }
                for (g, s) in chart.series.iter().enumerate() {
                    let colour = PALETTE[g % PALETTE.len()];
                    for (i, v) in s.values.iter().enumerate().take(n) {
                        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                        let y1 = n_f
                            - f64::from(u32::try_from(i).unwrap_or(0))
                            - 0.1
                            - slot * f64::from(u32::try_from(g).unwrap_or(0));
                        let y0 = y1 - slot;
                        cc.draw_series(std::iter::once(Rectangle::new(
                            [(0.0, y0), (v, y1)],
                            colour.filled(),
                        )))
                        .map_err(draw_err)?;
                        let (px, py) = cc.backend_coord(&(v, (y0 + y1) / 2.0));
                        root.draw(&Text::new(
                            value_label(v, chart.percent),
                            (px + 4, py),
                            value_style.pos(Pos::new(HPos::Left, VPos::Center)),
                        ))
                        .map_err(draw_err)?;
                    }
                }
                if chart.percent {
                    cc.draw_series(std::iter::once(PathElement::new(
                        vec![(100.0, 0.0), (100.0, n_f)],
                        INK.stroke_width(1),
                    )))
                    .map_err(draw_err)?;
                }
            }
            Orientation::Vertical => {
                let mut cc = ChartBuilder::on(&body)
                    .x_label_area_size(30)
                    .y_label_area_size(56)
                    .build_cartesian_2d(0.0..n_f, 0.0..top)
                    .map_err(draw_err)?;
                cc.configure_mesh()
                    .disable_x_mesh()
                    .x_labels(0)
                    .y_labels(ticks)
                    .y_label_formatter(&|v| axis_label(*v, chart.percent))
                    .y_label_style(value_style.clone())
                    .max_light_lines(0)
                    .bold_line_style(GRID)
                    .axis_style(INK)
                    .draw()
                    .map_err(draw_err)?;
                for (i, label) in labels.iter().enumerate() {
                    let x = f64::from(u32::try_from(i).unwrap_or(0)) + 0.5;
                    let (px, py) = cc.backend_coord(&(x, 0.0));
                    root.draw(&Text::new(
                        label.clone(),
                        (px, py + 8),
                        label_style.pos(Pos::new(HPos::Center, VPos::Top)),
                    ))
                    .map_err(draw_err)?;
                }
                for (g, s) in chart.series.iter().enumerate() {
                    let colour = PALETTE[g % PALETTE.len()];
                    for (i, v) in s.values.iter().enumerate().take(n) {
                        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
                        let x0 = f64::from(u32::try_from(i).unwrap_or(0))
                            + 0.1
                            + slot * f64::from(u32::try_from(g).unwrap_or(0));
                        let x1 = x0 + slot;
                        cc.draw_series(std::iter::once(Rectangle::new(
                            [(x0, 0.0), (x1, v)],
                            colour.filled(),
                        )))
                        .map_err(draw_err)?;
                        let (px, py) = cc.backend_coord(&((x0 + x1) / 2.0, v));
                        root.draw(&Text::new(
                            value_label(v, chart.percent),
                            (px, py - 4),
                            value_style.pos(Pos::new(HPos::Center, VPos::Bottom)),
                        ))
                        .map_err(draw_err)?;
                    }
                }
            }
        }
        root.present().map_err(draw_err)?;
    }
    Ok(accessible(&svg, &chart.id, &chart.title))
}

fn axis_label(v: f64, percent: bool) -> String {
    if !percent && v.fract().abs() > 1e-9 && v < 10.0 {
        return String::new();
    }
    if percent {
        format!("{} %", format_number(v))
    } else {
        format_number(v)
    }
}

fn value_label(v: f64, percent: bool) -> String {
    if percent {
        format!("{} %", format_number(v.round()))
    } else {
        format_number(v)
    }
}

/// A round axis end a little above the largest value: a whole number up to 10, else 1, 2,
/// 2.5 or 5 times a power of ten.
fn nice_top(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let padded = max * 1.12;
    if padded <= 10.0 {
        return padded.ceil();
    }
    let power = 10f64.powf(padded.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * power >= padded {
            return step * power;
        }
    }
    10.0 * power
}

/// plotters writes a fixed-size `<svg>`; make it scale with its container and say what it is.
fn accessible(svg: &str, id: &str, title: &str) -> String {
    let id = escape(id);
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    let open = &svg[start..end];
    let view_box = open
        .split("viewBox=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("0 0 720 400");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{view_box}\" class=\"chart-svg\" role=\"img\" aria-labelledby=\"{id}-title\" font-family=\"{FONT_FAMILY}, sans-serif\"><title id=\"{id}-title\">{}</title>{}",
        escape(title),
        &svg[end + 1..]
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chart(orientation: Orientation) -> BarChart {
        BarChart {
            id: "by-field".into(),
            title: "Mô hình theo lĩnh vực <2026>".into(),
            categories: vec![
                "Kinh tế".into(),
                "Văn hoá - xã hội & môi trường".into(),
                "Quốc phòng, an ninh".into(),
            ],
            series: vec![
                Series {
                    name: "Đăng ký".into(),
                    values: vec![12.0, 7.0, 0.0],
                },
                Series {
                    name: "Nhân rộng".into(),
                    values: vec![3.0, 1234.0, f64::NAN],
                },
            ],
            orientation,
            percent: false,
        }
    }

    #[test]
    fn horizontal_chart_names_its_categories_and_values() {
        let svg = bars(&chart(Orientation::Horizontal)).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 "));
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains("<title id=\"by-field-title\">Mô hình theo lĩnh vực &lt;2026&gt;</title>")
        );
        assert!(
            svg.contains(">\nKinh tế\n<") || svg.contains(">Kinh tế<"),
            "{svg}"
        );
        assert!(svg.contains("Văn hoá - xã hội &amp; môi trường"));
        assert!(
            svg.contains("1.234"),
            "value labels use Vietnamese thousands"
        );
        assert!(svg.contains("Nhân rộng"), "legend names each series");
        let open = &svg[..svg.find('>').unwrap()];
        assert!(
            !open.contains("width="),
            "the chart scales with its container"
        );
        std::fs::write(std::env::temp_dir().join("danvan-chart-h.svg"), &svg).unwrap();
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn vertical_chart_and_percent_axis() {
        let mut c = chart(Orientation::Vertical);
        c.categories = vec!["2023".into(), "2024".into(), "2025".into()];
        c.series.truncate(1);
        c.percent = true;
        let svg = bars(&c).unwrap();
        assert!(svg.contains("2024"));
        assert!(svg.contains("100 %"));
        assert!(!svg.contains("Nhân rộng"), "one series needs no legend");
    }

    #[test]
    fn empty_and_long_inputs_still_draw() {
        let c = BarChart {
            id: "x".into(),
            title: String::new(),
            categories: vec![],
            series: vec![],
            orientation: Orientation::Horizontal,
            percent: false,
        };
        assert!(bars(&c).unwrap().contains("</svg>"));
        let long = "Mô hình dân vận khéo ".repeat(20);
        let c = BarChart {
            categories: vec![long.clone()],
            series: vec![Series {
                name: "a".into(),
                values: vec![1.0],
            }],
            ..c
        };
        let svg = bars(&c).unwrap();
        assert!(svg.contains('…'), "a long label is cut with an ellipsis");
        assert!(!svg.contains(&long));
    }

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(1234567.0), "1.234.567");
        assert_eq!(format_number(12.5), "12,5");
        assert_eq!(format_number(-1000.0), "-1.000");
        assert_eq!(nice_top(0.0), 1.0);
        assert_eq!(nice_top(2.0), 3.0);
        assert_eq!(nice_top(8.0), 9.0);
        assert_eq!(nice_top(9.0), 20.0);
        assert_eq!(nice_top(12.0), 20.0);
        assert_eq!(nice_top(45.0), 100.0);
    }
}
