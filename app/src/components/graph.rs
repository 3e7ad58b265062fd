//! An alarm's metric as an SVG line with its threshold: a pure layout, and the view.
use crate::api::resources::MetricSeries;
use crate::components::text::tr;
use crate::domain::alarm::number;
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;

/// Where things go in a `width` × `height` box: the line's points, the threshold's height,
/// and the value range the box shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub line: String,
    pub threshold_y: f64,
    pub low: f64,
    pub high: f64,
}

/// Scales the points (Unix seconds, value) into the box, with the threshold always in view
/// and a tenth of headroom above and below. None without points.
pub fn layout(points: &[(i64, f64)], threshold: f64, width: f64, height: f64) -> Option<Layout> {
    let (first, last) = (points.first()?.0, points.last()?.0);
    let values = points.iter().map(|(_, v)| *v).chain([threshold]);
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = ((high - low) / 10.0).max(if high == low { 1.0 } else { 0.0 });
    low -= pad;
    high += pad;
    let span = (last - first).max(1) as f64;
    let y = |value: f64| height - (value - low) / (high - low) * height;
    let line = points
        .iter()
        .map(|(at, value)| {
            let x = (at - first) as f64 / span * width;
            format!("{:.1},{:.1}", x, y(*value))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some(Layout {
        line,
        threshold_y: y(threshold),
        low,
        high,
    })
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;

#[component]
pub fn MetricGraph(graph: MetricSeries) -> impl IntoView {
    let i18n = use_i18n();
    let points: Vec<(i64, f64)> = graph
        .points
        .iter()
        .map(|(at, v)| (at.timestamp(), *v))
        .collect();
    let above = points.iter().filter(|(_, v)| *v > graph.threshold).count();
    let hours = graph.hours;
    match layout(&points, graph.threshold, WIDTH, HEIGHT) {
        None => view! { <p class="empty" data-testid="graph-empty">{t!(i18n, graph_empty, hours = move || hours)}</p> }
            .into_any(),
        Some(layout) => {
            let threshold = number(graph.threshold);
            let label = format!(
                "{} · {}",
                t_string!(i18n, graph_title, hours = hours),
                t_string!(i18n, graph_summary, count = points.len(), above = above)
            );
            view! {
                <figure class="graph" data-testid="graph">
                    <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone()>
                        <line class="threshold" x1="0" x2=WIDTH.to_string()
                            y1=format!("{:.1}", layout.threshold_y) y2=format!("{:.1}", layout.threshold_y) />
                        <polyline class="metric" points=layout.line data-testid="graph-line" />
                    </svg>
                    <figcaption>
                        {label} " · " {tr!(i18n, graph_threshold)} " " <code>{threshold}</code>
                        " · " {number(layout.low.max(0.0).round())} "–" {number(layout.high.round())}
                    </figcaption>
                </figure>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_spans_the_box_and_the_threshold_sits_between_its_values() {
        let points = [(0, 0.0), (300, 200000.0), (600, 50000.0)];
        let layout = layout(&points, 100000.0, 600.0, 160.0).unwrap();
        let xs: Vec<f64> = layout
            .line
            .split(' ')
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(xs, [0.0, 300.0, 600.0]);
        // Higher values are drawn higher (smaller y); the threshold is between 0 and 200000.
        let ys: Vec<f64> = layout
            .line
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert!(ys[1] < layout.threshold_y && layout.threshold_y < ys[0]);
        assert!(layout.low < 0.0 && layout.high > 200000.0);
    }

    #[test]
    fn a_threshold_far_above_the_data_stays_in_view() {
        let layout = layout(&[(0, 1.0), (60, 2.0)], 1000.0, 600.0, 160.0).unwrap();
        assert!(layout.threshold_y >= 0.0 && layout.threshold_y <= 160.0);
    }

    #[test]
    fn a_flat_line_and_no_points() {
        let layout = layout(&[(0, 5.0)], 5.0, 600.0, 160.0).unwrap();
        assert_eq!(layout.line, "0.0,80.0");
        assert!(super::layout(&[], 1.0, 600.0, 160.0).is_none());
    }
}
