//! Positions, distances and routes on the WGS 84 ellipsoid.
//!
//! Written here rather than taken from the `geo` crate: the monitor needs only two things, the
//! distance between two fixes and the distance from a fix to a polyline, and `geo` would bring
//! its geometry stack (`geo-types`, `rstar`, `robust`, `i_overlay`, `geographiclib-rs` …) into
//! the core for them. The method, about 150 lines:
//!
//! - the nearest point of a segment is found on the sphere, with unit vectors (n-vectors): the
//!   foot of the perpendicular on the segment's great circle, or the nearer end. It costs a
//!   few dot and cross products per segment and no trigonometry, as the segments' vectors are
//!   computed once, when the route is built;
//! - the distance from the fix to that point is the angle between them times the ellipsoid's
//!   scale in the direction between them at their mean latitude (from the meridian radius M
//!   and the prime-vertical radius N: √((N·cos φ·Δλ)² + (M·Δφ)²) per radian). Within a few tens of
//!   kilometres, where corridors are decided, this agrees with the geodesic distance to better
//!   than 0.01 %; further away its error stays under the 0.5 % by which the ellipsoid differs
//!   from a sphere. Moving the foot from the sphere's nearest point to the ellipsoid's changes
//!   the distance only to second order, as the distance to a line is stationary at its foot.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The semi-major axis of WGS 84, metres.
const A: f64 = 6_378_137.0;
/// The flattening of WGS 84.
const F: f64 = 1.0 / 298.257_223_563;
/// The first eccentricity squared.
const E2: f64 = F * (2.0 - F);

/// How many segments either side of the last matched one are searched before the whole route.
pub const SEARCH_WINDOW: usize = 4;

/// A point on the Earth: latitude and longitude in degrees, WGS 84.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Position {
    /// Latitude, degrees, −90 … 90.
    pub lat: f64,
    /// Longitude, degrees, −180 … 180.
    pub lon: f64,
}

impl Position {
    /// True when both coordinates are finite and in range.
    pub fn is_valid(self) -> bool {
        (-90.0..=90.0).contains(&self.lat) && (-180.0..=180.0).contains(&self.lon)
    }

    fn unit(self) -> V3 {
        let (sin_lat, cos_lat) = self.lat.to_radians().sin_cos();
        let (sin_lon, cos_lon) = self.lon.to_radians().sin_cos();
        V3([cos_lat * cos_lon, cos_lat * sin_lon, sin_lat])
    }

    fn from_unit(v: V3) -> Position {
        let [x, y, z] = v.0;
        Position { lat: z.clamp(-1.0, 1.0).asin().to_degrees(), lon: y.atan2(x).to_degrees() }
    }
}

/// The distance between two positions, metres, along the ellipsoid.
pub fn distance_m(a: Position, b: Position) -> f64 {
    metres(a, a.unit(), b, b.unit())
}

/// A three-vector; positions on the unit sphere and great-circle normals.
#[derive(Debug, Clone, Copy, PartialEq)]
struct V3([f64; 3]);

impl V3 {
    fn dot(self, o: V3) -> f64 {
        self.0[0] * o.0[0] + self.0[1] * o.0[1] + self.0[2] * o.0[2]
    }
    fn cross(self, o: V3) -> V3 {
        let ([a, b, c], [x, y, z]) = (self.0, o.0);
        V3([b * z - c * y, c * x - a * z, a * y - b * x])
    }
    fn scale(self, k: f64) -> V3 {
        V3([self.0[0] * k, self.0[1] * k, self.0[2] * k])
    }
    fn minus(self, o: V3) -> V3 {
        V3([self.0[0] - o.0[0], self.0[1] - o.0[1], self.0[2] - o.0[2]])
    }
    fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
}

/// Metres between two positions given with their unit vectors: the angle between them times the
/// ellipsoid's scale in their direction at their mean latitude.
fn metres(p: Position, pu: V3, q: Position, qu: V3) -> f64 {
    let chord = pu.minus(qu).norm();
    if chord == 0.0 {
        return 0.0;
    }
    let angle = 2.0 * (chord / 2.0).min(1.0).asin();
    let mid = ((p.lat + q.lat) / 2.0).to_radians();
    let mut dlon = (q.lon - p.lon).to_radians();
    if dlon > std::f64::consts::PI {
        dlon -= std::f64::consts::TAU;
    } else if dlon < -std::f64::consts::PI {
        dlon += std::f64::consts::TAU;
    }
    let x = dlon * mid.cos();
    let y = (q.lat - p.lat).to_radians();
    let w = 1.0 - E2 * mid.sin().powi(2);
    let n = A / w.sqrt();
    let m = A * (1.0 - E2) / (w * w.sqrt());
    // The metres of one radian in this direction: the local metric of the ellipsoid,
    // north by M per radian of latitude, east by N per radian of longitude times cos φ.
    let along = x.hypot(y);
    let scale = if along == 0.0 { (m * n).sqrt() } else { (n * x).hypot(m * y) / along };
    angle * scale
}

/// A segment of a route, its vectors computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    a: V3,
    b: V3,
    /// The unit normal of the segment's great circle; zero when the ends coincide.
    n: V3,
}

impl Segment {
    fn new(a: Position, b: Position) -> Segment {
        let (a, b) = (a.unit(), b.unit());
        let n = a.cross(b);
        let len = n.norm();
        let n = if len < 1e-15 { V3([0.0; 3]) } else { n.scale(1.0 / len) };
        Segment { a, b, n }
    }

    /// The nearest point of the segment to `p` on the sphere, and the squared chord to it.
    fn nearest(&self, p: V3) -> (V3, f64) {
        let chord2 = |q: V3| {
            let d = p.minus(q);
            d.dot(d)
        };
        let ends = || {
            let (da, db) = (chord2(self.a), chord2(self.b));
            if da <= db {
                (self.a, da)
            } else {
                (self.b, db)
            }
        };
        if self.n.0 == [0.0; 3] {
            return ends();
        }
        let proj = p.minus(self.n.scale(p.dot(self.n)));
        let len = proj.norm();
        if len < 1e-15 {
            return ends();
        }
        let g = proj.scale(1.0 / len);
        if self.a.cross(g).dot(self.n) >= 0.0 && g.cross(self.b).dot(self.n) >= 0.0 {
            (g, chord2(g))
        } else {
            ends()
        }
    }
}

/// A route: waypoints joined by great-circle segments, with a corridor of `corridor_m` metres
/// each side of the line (a band twice as wide).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    waypoints: Vec<Position>,
    corridor_m: f64,
    segments: Vec<Segment>,
}

/// Why a route cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteError {
    /// Fewer than two waypoints.
    #[error("a route needs at least two waypoints")]
    TooFewWaypoints,
    /// A waypoint out of range.
    #[error("waypoint {0} is not a valid latitude and longitude")]
    Waypoint(usize),
    /// The corridor is not a positive number of metres.
    #[error("the corridor must be a positive number of metres")]
    Corridor,
}

/// The segment of a route nearest to a position, and the distance to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Index of the segment: 0 joins the first two waypoints.
    pub segment: usize,
    /// Distance to the route, metres.
    pub distance_m: f64,
}

impl Route {
    /// A route through `waypoints` with a corridor of `corridor_m` metres each side.
    ///
    /// # Errors
    ///
    /// Fewer than two waypoints, a waypoint out of range, or a corridor that is not positive.
    pub fn new(waypoints: Vec<Position>, corridor_m: f64) -> Result<Route, RouteError> {
        if waypoints.len() < 2 {
            return Err(RouteError::TooFewWaypoints);
        }
        if let Some(i) = waypoints.iter().position(|w| !w.is_valid()) {
            return Err(RouteError::Waypoint(i));
        }
        if !(corridor_m.is_finite() && corridor_m > 0.0) {
            return Err(RouteError::Corridor);
        }
        let segments = waypoints.windows(2).map(|w| Segment::new(w[0], w[1])).collect();
        Ok(Route { waypoints, corridor_m, segments })
    }

    /// The waypoints.
    pub fn waypoints(&self) -> &[Position] {
        &self.waypoints
    }

    /// The corridor each side of the line, metres.
    pub fn corridor_m(&self) -> f64 {
        self.corridor_m
    }

    /// The nearest segment and the distance to it, searching every segment.
    pub fn nearest(&self, p: Position) -> Nearest {
        self.nearest_in(p, p.unit(), 0, self.segments.len())
    }

    /// The nearest segment, searching first the segments within `SEARCH_WINDOW` of `hint` (the
    /// segment matched last) and the whole route only when the position is outside the
    /// corridor there. Whether a position is inside the corridor is therefore decided exactly;
    /// the distance is the exact minimum when it is outside, and the distance to the nearest
    /// segment around the hint when it is inside.
    pub fn nearest_from(&self, p: Position, hint: usize) -> Nearest {
        let pu = p.unit();
        let hint = hint.min(self.segments.len().saturating_sub(1));
        let from = hint.saturating_sub(SEARCH_WINDOW);
        let to = (hint + SEARCH_WINDOW + 1).min(self.segments.len());
        let near = self.nearest_in(p, pu, from, to);
        if near.distance_m <= self.corridor_m || (from == 0 && to == self.segments.len()) {
            near
        } else {
            self.nearest_in(p, pu, 0, self.segments.len())
        }
    }

    /// True when `p` is within the corridor.
    pub fn contains(&self, p: Position) -> bool {
        self.nearest(p).distance_m <= self.corridor_m
    }

    /// The segment of `from..to` nearest in metres. The scan compares chords on the sphere,
    /// which costs no trigonometry; the ellipsoid then measures the segments whose chord is
    /// within 1 % of the least (more than its flattening can reverse), usually one or two.
    fn nearest_in(&self, p: Position, pu: V3, from: usize, to: usize) -> Nearest {
        let range = || self.segments.iter().enumerate().take(to).skip(from);
        let least = range().map(|(_, s)| s.nearest(pu).1).fold(f64::INFINITY, f64::min);
        let limit = least * 1.0201;
        let mut best = Nearest { segment: from, distance_m: f64::INFINITY };
        for (i, s) in range() {
            let (foot, chord2) = s.nearest(pu);
            if chord2 <= limit {
                let d = metres(p, pu, Position::from_unit(foot), foot);
                if d < best.distance_m {
                    best = Nearest { segment: i, distance_m: d };
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(lat: f64, lon: f64) -> Position {
        Position { lat, lon }
    }

    fn route(points: &[(f64, f64)], corridor_m: f64) -> Result<Route, RouteError> {
        Route::new(points.iter().map(|&(lat, lon)| at(lat, lon)).collect(), corridor_m)
    }

    #[test]
    fn a_degree_of_latitude_at_the_equator_and_of_longitude_at_60_degrees_match_wgs84_tables() {
        // 1° of latitude at the equator is 110 574.3 m; 1° of longitude at 60° is 55 799.98 m.
        assert!((distance_m(at(0.0, 0.0), at(0.01, 0.0)) - 1105.743).abs() < 0.01);
        assert!((distance_m(at(60.0, 10.0), at(60.0, 10.01)) - 557.9998).abs() < 0.01);
    }

    #[test]
    fn distances_to_a_segment_are_measured_across_it() -> Result<(), RouteError> {
        // Along the equator: 0.01° north of it is a meridian arc of 1105.74 m.
        let equator = route(&[(0.0, 0.0), (0.0, 1.0)], 1000.0)?;
        assert!((equator.nearest(at(0.01, 0.5)).distance_m - 1105.743).abs() < 0.05);
        assert!(!equator.contains(at(0.01, 0.5)) && equator.contains(at(0.005, 0.5)));
        // Along a meridian at 60°: 0.01° of longitude is 558.0 m.
        let meridian = route(&[(59.9, 10.0), (60.1, 10.0)], 1000.0)?;
        assert!((meridian.nearest(at(60.0, 10.01)).distance_m - 558.0).abs() < 0.05);
        // Beyond an end, the distance is to the end.
        let beyond = equator.nearest(at(0.0, 1.01)).distance_m;
        assert!((beyond - distance_m(at(0.0, 1.0), at(0.0, 1.01))).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn a_route_needs_two_valid_waypoints_and_a_corridor() {
        assert_eq!(route(&[(0.0, 0.0)], 10.0), Err(RouteError::TooFewWaypoints));
        assert_eq!(route(&[(0.0, 0.0), (91.0, 0.0)], 10.0), Err(RouteError::Waypoint(1)));
        assert_eq!(route(&[(0.0, 0.0), (1.0, 0.0)], 0.0), Err(RouteError::Corridor));
        assert_eq!(route(&[(0.0, 0.0), (1.0, 0.0)], f64::NAN), Err(RouteError::Corridor));
    }

    #[test]
    fn the_search_near_the_hint_falls_back_to_the_whole_route() -> Result<(), RouteError> {
        // A long route along the equator, 100 segments of 0.1°.
        let points: Vec<(f64, f64)> = (0..=100).map(|i| (0.0, f64::from(i) / 10.0)).collect();
        let r = route(&points, 500.0)?;
        let p = at(0.001, 9.95);
        assert_eq!(r.nearest_from(p, 99).segment, 99);
        // A hint far away: the window misses, the fallback finds the segment.
        assert_eq!(r.nearest_from(p, 0), r.nearest(p));
        Ok(())
    }

    fn position() -> impl Strategy<Value = Position> {
        (-80.0f64..80.0, -179.0f64..179.0).prop_map(|(lat, lon)| at(lat, lon))
    }

    /// A short hop from `p`: up to `deg` degrees each way.
    fn near(p: Position, deg: f64) -> impl Strategy<Value = Position> {
        (-deg..deg, -deg..deg).prop_map(move |(a, b)| at((p.lat + a).clamp(-89.0, 89.0), p.lon + b))
    }

    fn polyline() -> impl Strategy<Value = Vec<Position>> {
        position().prop_flat_map(|start| {
            proptest::collection::vec((-0.5f64..0.5, -0.5f64..0.5), 1..8).prop_map(move |steps| {
                let mut points = vec![start];
                let mut last = start;
                for (a, b) in steps {
                    last = at((last.lat + a).clamp(-85.0, 85.0), (last.lon + b).clamp(-179.9, 179.9));
                    points.push(last);
                }
                points
            })
        })
    }

    proptest! {
        /// Every waypoint lies on the route.
        #[test]
        fn the_distance_is_zero_on_waypoints(points in polyline()) {
            let r = Route::new(points.clone(), 100.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for w in &points {
                prop_assert!(r.nearest(*w).distance_m < 1e-3);
            }
        }

        /// The route and its reverse are the same line; the distance to the route is the least
        /// of the distances to its segments, and at most the distance to any waypoint.
        #[test]
        fn the_distance_does_not_depend_on_direction_and_is_the_least(
            (points, p) in polyline().prop_flat_map(|pts| { let first = pts[0]; (Just(pts), near(first, 1.0)) })) {
            let r = Route::new(points.clone(), 100.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let reversed: Vec<Position> = points.iter().rev().copied().collect();
            let back = Route::new(reversed, 100.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let d = r.nearest(p).distance_m;
            prop_assert!((d - back.nearest(p).distance_m).abs() <= 1e-6 * d.max(1.0));
            let each = points.windows(2).filter_map(|w| Route::new(w.to_vec(), 100.0).ok()).map(|s| s.nearest(p).distance_m);
            let least = each.fold(f64::INFINITY, f64::min);
            prop_assert!((d - least).abs() <= 1e-6 * d.max(1.0));
            // The scale of each distance is taken at its own mean latitude, so a nearer point
            // on the sphere may measure a hair further than a waypoint on the ellipsoid.
            for w in &points {
                prop_assert!(d <= distance_m(p, *w) * 1.006 + 1e-6);
            }
            for hint in 0..points.len() {
                prop_assert_eq!(r.nearest_from(p, hint).distance_m <= 100.0, d <= 100.0);
            }
        }

        /// A point moved d metres from the middle of a segment, square to it, is d metres away
        /// (within 0.2 % and a centimetre). The move is made in the local plane of the
        /// ellipsoid at the middle (north by M·Δφ, east by N·cos φ·Δλ), square to the
        /// segment's great circle.
        #[test]
        fn a_point_moved_square_from_a_segment_measures_the_move(
            a in position(), along in (0.0f64..std::f64::consts::TAU), len in 100.0f64..20_000.0,
            d in 0.0f64..2_000.0, left in any::<bool>()) {
            let shift = |p: Position, east: f64, north: f64| {
                let lat = p.lat.to_radians();
                let w = 1.0 - E2 * lat.sin().powi(2);
                let (n, m) = (A / w.sqrt(), A * (1.0 - E2) / (w * w.sqrt()));
                at(p.lat + (north / m).to_degrees(), p.lon + (east / (n * lat.cos())).to_degrees())
            };
            let b = shift(a, along.sin() * len, along.cos() * len);
            let (au, bu) = (a.unit(), b.unit());
            let sum = V3([au.0[0] + bu.0[0], au.0[1] + bu.0[1], au.0[2] + bu.0[2]]);
            let mid = Position::from_unit(sum.scale(1.0 / sum.norm()));
            let normal = Segment::new(a, b).n;
            let (sin_lat, cos_lat) = mid.lat.to_radians().sin_cos();
            let (sin_lon, cos_lon) = mid.lon.to_radians().sin_cos();
            let east = normal.dot(V3([-sin_lon, cos_lon, 0.0]));
            let north = normal.dot(V3([-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat]));
            let side = (if left { -d } else { d }) / east.hypot(north);
            let p = shift(mid, side * east, side * north);
            let r = Route::new(vec![a, b], 100.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let measured = r.nearest(p).distance_m;
            prop_assert!((measured - d).abs() <= 0.002 * d + 0.01, "measured {} for {}", measured, d);
        }
    }
}
