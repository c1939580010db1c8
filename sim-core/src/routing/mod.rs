//! Routing: which idle agent takes an arriving call, and which waiting call a freed
//! agent takes next.
//!
//! The [`Floor`] is the router's read-only view of the center: idle agents per group
//! (longest idle first) and the queue of each call type (oldest first). A [`Router`]
//! reads it and returns a decision; the engine applies the decision. Policies are
//! therefore unit-testable with a hand-made floor and never touch the event list.

use std::collections::VecDeque;
use std::fmt;

/// Index of an agent in the run (stable for the whole replication).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct AgentId(pub u32);

/// A reference to a call slot in the engine's arena; `generation` tells a live
/// reference from one to a slot that has since been reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CallRef {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

/// One entry of a call type's queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiting {
    pub(crate) call: CallRef,
    pub(crate) arrived_s: f64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct AgentState {
    pub(crate) group: u32,
    pub(crate) idle: bool,
    /// Bumped each time the agent becomes idle: tells live idle-list entries from
    /// stale ones.
    pub(crate) idle_epoch: u32,
    pub(crate) idle_since_s: f64,
}

/// What a router sees of the center.
#[derive(Debug, Clone)]
pub struct Floor {
    pub(crate) agents: Vec<AgentState>,
    /// Per group, idle agents in the order they became idle, with their idle epoch.
    /// Invariant: the front entry, if any, is live.
    pub(crate) idle: Vec<VecDeque<(AgentId, u32)>>,
    pub(crate) idle_count: Vec<u32>,
    /// Per call type, waiting calls oldest first. Invariant: the front entry, if
    /// any, is live (abandoned calls are removed lazily behind it).
    pub(crate) queues: Vec<VecDeque<Waiting>>,
    pub(crate) waiting: Vec<u32>,
    groups_for_type: Vec<Vec<u32>>,
    skills_of_group: Vec<Vec<u32>>,
}

impl Floor {
    /// A floor with `group_sizes[g]` agents in group `g`, all idle since time 0,
    /// where `skills_of_group[g]` lists the call types group `g` can take.
    pub(crate) fn new(
        group_sizes: &[u32],
        skills_of_group: Vec<Vec<u32>>,
        call_types: usize,
    ) -> Floor {
        let mut agents = Vec::new();
        let mut idle = Vec::with_capacity(group_sizes.len());
        for (g, &n) in group_sizes.iter().enumerate() {
            let mut fifo = VecDeque::with_capacity(n as usize);
            for _ in 0..n {
                fifo.push_back((AgentId(agents.len() as u32), 0));
                agents.push(AgentState {
                    group: g as u32,
                    idle: true,
                    idle_epoch: 0,
                    idle_since_s: 0.0,
                });
            }
            idle.push(fifo);
        }
        let mut groups_for_type = vec![Vec::new(); call_types];
        for (g, skills) in skills_of_group.iter().enumerate() {
            for &ct in skills {
                groups_for_type[ct as usize].push(g as u32);
            }
        }
        Floor {
            agents,
            idle,
            idle_count: group_sizes.to_vec(),
            queues: vec![VecDeque::new(); call_types],
            waiting: vec![0; call_types],
            groups_for_type,
            skills_of_group,
        }
    }

    /// Number of agents on the floor.
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// The group of `agent`.
    pub fn group_of(&self, agent: AgentId) -> usize {
        self.agents[agent.0 as usize].group as usize
    }

    /// Whether `agent` is idle.
    pub fn is_idle(&self, agent: AgentId) -> bool {
        self.agents[agent.0 as usize].idle
    }

    /// The groups that can take call type `call_type`, in scenario order.
    pub fn groups_for(&self, call_type: usize) -> &[u32] {
        &self.groups_for_type[call_type]
    }

    /// The call types group `group` can take, in the order of its skills.
    pub fn skills_of(&self, group: usize) -> &[u32] {
        &self.skills_of_group[group]
    }

    /// Number of idle agents in `group`.
    pub fn idle_in(&self, group: usize) -> u32 {
        self.idle_count[group]
    }

    /// The agent of `group` idle the longest, and since when (seconds).
    pub fn longest_idle(&self, group: usize) -> Option<(AgentId, f64)> {
        self.idle[group]
            .front()
            .map(|&(a, _)| (a, self.agents[a.0 as usize].idle_since_s))
    }

    /// Number of callers waiting for `call_type`.
    pub fn waiting(&self, call_type: usize) -> u32 {
        self.waiting[call_type]
    }

    /// Arrival time (seconds) of the oldest caller waiting for `call_type`.
    pub fn oldest_waiting_since(&self, call_type: usize) -> Option<f64> {
        self.queues[call_type].front().map(|w| w.arrived_s)
    }

    fn entry_live(&self, &(a, epoch): &(AgentId, u32)) -> bool {
        let s = &self.agents[a.0 as usize];
        s.idle && s.idle_epoch == epoch
    }

    /// Mark `agent` busy. Its idle-list entry goes stale and is purged lazily.
    pub(crate) fn take_agent(&mut self, agent: AgentId) {
        let g = {
            let s = &mut self.agents[agent.0 as usize];
            debug_assert!(s.idle, "agent {agent:?} taken twice");
            s.idle = false;
            s.group as usize
        };
        self.idle_count[g] -= 1;
        while let Some(front) = self.idle[g].front() {
            if self.entry_live(front) {
                break;
            }
            self.idle[g].pop_front();
        }
    }

    /// Mark `agent` idle from `now_s`, at the back of its group's idle list.
    pub(crate) fn release_agent(&mut self, agent: AgentId, now_s: f64) {
        let s = &mut self.agents[agent.0 as usize];
        debug_assert!(!s.idle);
        s.idle = true;
        s.idle_epoch = s.idle_epoch.wrapping_add(1);
        s.idle_since_s = now_s;
        let (g, e) = (s.group as usize, s.idle_epoch);
        self.idle[g].push_back((agent, e));
        self.idle_count[g] += 1;
    }
}

/// A routing policy. Implementations read the [`Floor`] and return a decision; they
/// must return only agents that are idle and whose group has the call's skill, and
/// only call types that have callers waiting and that the agent's group can take.
pub trait Router: fmt::Debug + Send {
    /// An idle agent for a call of `call_type` that just arrived, or `None` to queue it.
    fn agent_for_call(&mut self, floor: &Floor, call_type: usize) -> Option<AgentId>;

    /// The call type whose oldest waiting caller `agent` takes next, or `None` to
    /// leave the agent idle. Called when the agent has just finished a call; it is
    /// still marked busy on the floor while the router decides.
    fn call_for_agent(&mut self, floor: &Floor, agent: AgentId) -> Option<usize>;
}

/// The classic ACD policy: an arriving call goes to the eligible agent idle the
/// longest (across groups); a freed agent takes the caller who has waited the
/// longest among the queues it can serve (first come, first served).
#[derive(Debug, Clone, Copy, Default)]
pub struct LongestIdleFcfs;

impl Router for LongestIdleFcfs {
    #[inline]
    fn agent_for_call(&mut self, floor: &Floor, call_type: usize) -> Option<AgentId> {
        let mut best: Option<(AgentId, f64)> = None;
        for &g in floor.groups_for(call_type) {
            if let Some((a, since)) = floor.longest_idle(g as usize)
                && best.is_none_or(|(_, b)| since < b)
            {
                best = Some((a, since));
            }
        }
        best.map(|(a, _)| a)
    }

    #[inline]
    fn call_for_agent(&mut self, floor: &Floor, agent: AgentId) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for &ct in floor.skills_of(floor.group_of(agent)) {
            if let Some(since) = floor.oldest_waiting_since(ct as usize)
                && best.is_none_or(|(_, b)| since < b)
            {
                best = Some((ct as usize, since));
            }
        }
        best.map(|(ct, _)| ct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(floor: &mut Floor, ct: usize, arrived_s: f64) {
        floor.queues[ct].push_back(Waiting {
            call: CallRef {
                index: 0,
                generation: 0,
            },
            arrived_s,
        });
        floor.waiting[ct] += 1;
    }

    #[test]
    fn longest_idle_across_groups() {
        // Group 0 takes type 0; group 1 takes types 0 and 1.
        let mut f = Floor::new(&[2, 1], vec![vec![0], vec![0, 1]], 2);
        let mut r = LongestIdleFcfs;
        // All idle since 0: the first in scenario order wins ties.
        assert_eq!(r.agent_for_call(&f, 0), Some(AgentId(0)));
        f.take_agent(AgentId(0));
        f.take_agent(AgentId(2));
        f.release_agent(AgentId(2), 5.0);
        f.release_agent(AgentId(0), 7.0);
        // Agent 1 idle since 0 < agent 2 since 5 < agent 0 since 7.
        assert_eq!(r.agent_for_call(&f, 0), Some(AgentId(1)));
        f.take_agent(AgentId(1));
        assert_eq!(r.agent_for_call(&f, 0), Some(AgentId(2)));
        // Type 1 only group 1.
        assert_eq!(r.agent_for_call(&f, 1), Some(AgentId(2)));
        f.take_agent(AgentId(2));
        assert_eq!(r.agent_for_call(&f, 1), None);
        assert_eq!(f.idle_in(0), 1);
        assert_eq!(f.idle_in(1), 0);
    }

    #[test]
    fn freed_agent_takes_oldest_caller_it_can_serve() {
        let mut f = Floor::new(&[1, 1], vec![vec![0], vec![0, 1]], 2);
        let mut r = LongestIdleFcfs;
        waiting(&mut f, 0, 10.0);
        waiting(&mut f, 1, 4.0);
        assert_eq!(r.call_for_agent(&f, AgentId(0)), Some(0));
        assert_eq!(r.call_for_agent(&f, AgentId(1)), Some(1));
        let empty = Floor::new(&[1], vec![vec![0]], 1);
        assert_eq!(r.call_for_agent(&empty, AgentId(0)), None);
    }

    #[test]
    fn stale_idle_entries_are_skipped() {
        let mut f = Floor::new(&[3], vec![vec![0]], 1);
        // Take the middle agent (as a skill-based policy might), then the front.
        f.take_agent(AgentId(1));
        f.take_agent(AgentId(0));
        assert_eq!(f.longest_idle(0).map(|x| x.0), Some(AgentId(2)));
        f.release_agent(AgentId(1), 3.0);
        f.take_agent(AgentId(2));
        assert_eq!(f.longest_idle(0).map(|x| x.0), Some(AgentId(1)));
        assert_eq!(f.idle_in(0), 1);
    }
}
