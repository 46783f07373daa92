//! The resolved dependency graph of a Cargo project, shared by the lockfile and
//! `cargo metadata` readers: which packages the product depends on directly,
//! by what kind of edge, and along which shortest path.

use std::collections::{HashMap, VecDeque};

use crate::model::{Component, Scope};

/// The kind of a dependency edge, as far as the input says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EdgeKind {
    Normal,
    Build,
    Dev,
    Unknown,
}

/// Packages (by index) with their names and outgoing edges.
#[derive(Debug, Default)]
pub(super) struct DepGraph {
    names: Vec<String>,
    edges: Vec<Vec<(usize, EdgeKind)>>,
}

impl DepGraph {
    /// A graph of the packages in order, and the node of each SBOM label
    /// (bom-ref, SPDX id): the first package with a label keeps it.
    pub(super) fn labelled<'a>(
        packages: impl IntoIterator<Item = (Option<&'a str>, String)>,
    ) -> (Self, HashMap<&'a str, usize>) {
        let mut graph = DepGraph::default();
        let mut index = HashMap::new();
        for (label, name) in packages {
            let node = graph.add_node(&name);
            if let Some(label) = label {
                index.entry(label).or_insert(node);
            }
        }
        (graph, index)
    }

    /// Adds a package and returns its index.
    pub(super) fn add_node(&mut self, name: &str) -> usize {
        self.names.push(name.to_string());
        self.edges.push(Vec::new());
        self.names.len() - 1
    }

    /// Records that `from` depends on `to` with this kind.
    pub(super) fn add_edge(&mut self, from: usize, to: usize, kind: EdgeKind) {
        if let Some(out) = self.edges.get_mut(from) {
            out.push((to, kind));
        }
    }

    /// For each package: does one of `roots` depend on it directly?
    pub(super) fn direct(&self, roots: &[usize]) -> Vec<bool> {
        let mut direct = vec![false; self.names.len()];
        for &(to, _) in roots.iter().filter_map(|&r| self.edges.get(r)).flatten() {
            if let Some(flag) = direct.get_mut(to) {
                *flag = true;
            }
        }
        direct
    }

    /// For each package: the names along the shortest path from a root down to
    /// it (both ends included); empty when no root reaches it.
    pub(super) fn shortest_paths(&self, roots: &[usize]) -> Vec<Vec<String>> {
        let parents = self.bfs(roots, |_| true);
        (0..self.names.len())
            .map(|node| self.path_to(node, &parents))
            .collect()
    }

    /// Sets `direct` and `dependency_path` of each `(node, component)` from the
    /// graph; leaves them unknown when no root depends on anything, since then
    /// the input does not say how its packages hang together.
    pub(super) fn mark_reach<'c>(
        &self,
        roots: &[usize],
        targets: impl IntoIterator<Item = (usize, &'c mut Component)>,
    ) {
        let direct = self.direct(roots);
        if !direct.contains(&true) {
            return;
        }
        let paths = self.shortest_paths(roots);
        for (node, component) in targets {
            component.direct = direct.get(node).copied();
            component.dependency_path = paths.get(node).cloned().unwrap_or_default();
        }
    }

    /// For each package: how the roots need it, by the cheapest kind of edges
    /// that reach it (normal only, then with build, then with dev).
    pub(super) fn scopes(&self, roots: &[usize]) -> Vec<Scope> {
        let runtime = self.bfs(roots, |k| k == EdgeKind::Normal);
        let build = self.bfs(roots, |k| matches!(k, EdgeKind::Normal | EdgeKind::Build));
        let dev = self.bfs(roots, |k| k != EdgeKind::Unknown);
        (0..self.names.len())
            .map(|n| {
                if is_reached(&runtime, n) {
                    Scope::Runtime
                } else if is_reached(&build, n) {
                    Scope::Build
                } else if is_reached(&dev, n) {
                    Scope::Dev
                } else {
                    Scope::Unknown
                }
            })
            .collect()
    }

    /// Breadth-first search over allowed edges; each reached node's parent
    /// (roots are their own parent).
    fn bfs(&self, roots: &[usize], allowed: impl Fn(EdgeKind) -> bool) -> Vec<Option<usize>> {
        let mut parent = vec![None; self.names.len()];
        let mut queue = VecDeque::new();
        for &root in roots {
            if let Some(slot @ None) = parent.get_mut(root) {
                *slot = Some(root);
                queue.push_back(root);
            }
        }
        while let Some(node) = queue.pop_front() {
            for &(to, kind) in self.edges.get(node).into_iter().flatten() {
                if allowed(kind)
                    && let Some(slot @ None) = parent.get_mut(to)
                {
                    *slot = Some(node);
                    queue.push_back(to);
                }
            }
        }
        parent
    }

    /// Walks parents back from `node` to its root; empty when unreached.
    fn path_to(&self, node: usize, parents: &[Option<usize>]) -> Vec<String> {
        let mut path = Vec::new();
        let mut current = node;
        while let Some(&Some(parent)) = parents.get(current) {
            path.push(self.names.get(current).cloned().unwrap_or_default());
            if parent == current || path.len() > parents.len() {
                break;
            }
            current = parent;
        }
        path.reverse();
        path
    }
}

/// Was `node` reached by a search?
fn is_reached(parents: &[Option<usize>], node: usize) -> bool {
    matches!(parents.get(node), Some(Some(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// app -> a (normal) -> c; app -> b (build) -> d; app -> t (dev); c -> d; x unreachable.
    fn sample() -> (DepGraph, Vec<usize>) {
        let mut g = DepGraph::default();
        let [app, a, b, c, d, t, x] = ["app", "a", "b", "c", "d", "t", "x"].map(|n| g.add_node(n));
        g.add_edge(app, a, EdgeKind::Normal);
        g.add_edge(app, b, EdgeKind::Build);
        g.add_edge(app, t, EdgeKind::Dev);
        g.add_edge(a, c, EdgeKind::Normal);
        g.add_edge(b, d, EdgeKind::Normal);
        g.add_edge(c, d, EdgeKind::Normal);
        g.add_edge(t, x, EdgeKind::Unknown);
        (g, vec![app])
    }

    #[test]
    fn scopes_take_the_cheapest_route() {
        let (g, roots) = sample();
        use Scope::*;
        assert_eq!(
            g.scopes(&roots),
            vec![Runtime, Runtime, Build, Runtime, Runtime, Dev, Unknown]
        );
    }

    #[test]
    fn paths_are_shortest_and_start_at_a_root() {
        let (g, roots) = sample();
        let paths = g.shortest_paths(&roots);
        assert_eq!(paths[0], vec!["app"]);
        assert_eq!(paths[4], vec!["app", "b", "d"]);
        assert_eq!(paths[6], vec!["app", "t", "x"]);
        assert_eq!(
            g.direct(&roots),
            vec![false, true, true, false, false, true, false]
        );
    }
}
