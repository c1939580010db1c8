//! Routing (the ACD): which idle agent takes an arriving call, and which waiting
//! call a freed agent takes next.
//!
//! The [`Floor`] is the router's read-only view of the center: idle agents per
//! group (longest idle first), and per call type two queues, priority callers and
//! the others, each oldest first. A [`Router`] reads it and returns a decision; the
//! engine applies the decision. Policies are therefore unit-testable with a
//! hand-made floor and never touch the event list.
//!
//! Eligibility: a group takes a call type when the type is one of its skills, or
//! when it is an overflow group of the type and the call has waited at least the
//! type's overflow threshold. Priority callers are always taken before the others
//! of the same type.

use std::collections::VecDeque;
use std::fmt;

use crate::scenario::RoutingPolicy;

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

/// One entry of a queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiting {
    pub(crate) call: CallRef,
    pub(crate) arrived_s: f64,
}

/// Priority class of a waiting call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Priority customers, served first.
    Priority,
    /// Everybody else.
    Normal,
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
    idle: Vec<VecDeque<(AgentId, u32)>>,
    idle_count: Vec<u32>,
    /// Per call type: [priority, normal] queues, oldest first. Invariant: the
    /// front entry of each, if any, is a live waiting call (calls that left are
    /// removed lazily behind it).
    pub(crate) queues: Vec<[VecDeque<Waiting>; 2]>,
    pub(crate) waiting: Vec<u32>,
    groups_for_type: Vec<Vec<u32>>,
    overflow_groups_for_type: Vec<Vec<u32>>,
    overflow_after_s: Vec<f64>,
    skills_of_group: Vec<Vec<u32>>,
    overflow_types_of_group: Vec<Vec<u32>>,
}

fn class_index(c: Class) -> usize {
    match c {
        Class::Priority => 0,
        Class::Normal => 1,
    }
}

impl Floor {
    /// A floor whose agents (none idle yet) belong to `agent_groups`, where
    /// `skills_of_group[g]` lists the call types group `g` takes,
    /// `overflow_types_of_group[g]` those it takes after `overflow_after_s[type]`.
    pub(crate) fn new(
        agent_groups: &[u32],
        skills_of_group: Vec<Vec<u32>>,
        overflow_types_of_group: Vec<Vec<u32>>,
        overflow_after_s: Vec<f64>,
    ) -> Floor {
        let call_types = overflow_after_s.len();
        let groups = skills_of_group.len();
        let agents = agent_groups
            .iter()
            .map(|&g| AgentState {
                group: g,
                idle: false,
                idle_epoch: 0,
                idle_since_s: 0.0,
            })
            .collect();
        let mut groups_for_type = vec![Vec::new(); call_types];
        for (g, skills) in skills_of_group.iter().enumerate() {
            for &ct in skills {
                groups_for_type[ct as usize].push(g as u32);
            }
        }
        let mut overflow_groups_for_type = vec![Vec::new(); call_types];
        for (g, types) in overflow_types_of_group.iter().enumerate() {
            for &ct in types {
                overflow_groups_for_type[ct as usize].push(g as u32);
            }
        }
        Floor {
            agents,
            idle: vec![VecDeque::new(); groups],
            idle_count: vec![0; groups],
            queues: (0..call_types)
                .map(|_| [VecDeque::new(), VecDeque::new()])
                .collect(),
            waiting: vec![0; call_types],
            groups_for_type,
            overflow_groups_for_type,
            overflow_after_s,
            skills_of_group,
            overflow_types_of_group,
        }
    }

    /// Add an agent slot (off duty) to `group`; returns its id.
    pub(crate) fn add_agent(&mut self, group: u32) -> AgentId {
        self.agents.push(AgentState {
            group,
            idle: false,
            idle_epoch: 0,
            idle_since_s: 0.0,
        });
        AgentId((self.agents.len() - 1) as u32)
    }

    /// Number of agent slots on the floor.
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// The group of `agent`.
    #[inline(always)]
    pub fn group_of(&self, agent: AgentId) -> usize {
        self.agents[agent.0 as usize].group as usize
    }

    /// Whether `agent` is idle (on duty, not on break, not busy).
    pub fn is_idle(&self, agent: AgentId) -> bool {
        self.agents[agent.0 as usize].idle
    }

    /// The groups that have call type `call_type` as a skill, in scenario order.
    pub fn groups_for(&self, call_type: usize) -> &[u32] {
        &self.groups_for_type[call_type]
    }

    /// The overflow groups of `call_type`, in scenario order.
    pub fn overflow_groups_for(&self, call_type: usize) -> &[u32] {
        &self.overflow_groups_for_type[call_type]
    }

    /// The wait after which the overflow groups may take `call_type`, seconds.
    pub fn overflow_after_s(&self, call_type: usize) -> f64 {
        self.overflow_after_s[call_type]
    }

    /// The call types group `group` has as skills, primary first.
    pub fn skills_of(&self, group: usize) -> &[u32] {
        &self.skills_of_group[group]
    }

    /// The call types group `group` takes as an overflow group.
    pub fn overflow_types_of(&self, group: usize) -> &[u32] {
        &self.overflow_types_of_group[group]
    }

    /// Number of idle agents in `group`.
    pub fn idle_in(&self, group: usize) -> u32 {
        self.idle_count[group]
    }

    /// The agent of `group` idle the longest, and since when (seconds).
    #[inline(always)]
    pub fn longest_idle(&self, group: usize) -> Option<(AgentId, f64)> {
        self.idle[group]
            .front()
            .map(|&(a, _)| (a, self.agents[a.0 as usize].idle_since_s))
    }

    /// Number of callers waiting for `call_type` (both classes).
    pub fn waiting(&self, call_type: usize) -> u32 {
        self.waiting[call_type]
    }

    /// The caller to serve next for `call_type`: its class and arrival time
    /// (seconds). Priority callers come first.
    #[inline(always)]
    pub fn head(&self, call_type: usize) -> Option<(Class, f64)> {
        let [p, n] = &self.queues[call_type];
        p.front()
            .map(|w| (Class::Priority, w.arrived_s))
            .or_else(|| n.front().map(|w| (Class::Normal, w.arrived_s)))
    }

    /// Whether `group` may take the head call of `call_type` at `now_s`.
    pub fn eligible(&self, group: usize, call_type: usize, now_s: f64) -> bool {
        if self.skills_of_group[group].contains(&(call_type as u32)) {
            return true;
        }
        self.overflow_types_of_group[group].contains(&(call_type as u32))
            && self
                .head(call_type)
                .is_some_and(|(_, t)| now_s - t >= self.overflow_after_s[call_type])
    }

    pub(crate) fn queue_mut(&mut self, call_type: usize, class: Class) -> &mut VecDeque<Waiting> {
        &mut self.queues[call_type][class_index(class)]
    }

    /// Remove and return the head of `call_type`'s queue of `class`.
    pub(crate) fn pop_head(&mut self, call_type: usize, class: Class) -> Option<Waiting> {
        let w = self.queue_mut(call_type, class).pop_front()?;
        self.waiting[call_type] -= 1;
        Some(w)
    }

    #[inline(always)]
    fn entry_live(&self, &(a, epoch): &(AgentId, u32)) -> bool {
        let s = &self.agents[a.0 as usize];
        s.idle && s.idle_epoch == epoch
    }

    /// Mark `agent` no longer idle (busy, on break or gone). Its idle-list entry
    /// goes stale and is purged lazily.
    #[inline(always)]
    pub(crate) fn take_agent(&mut self, agent: AgentId) {
        let g = {
            let s = &mut self.agents[agent.0 as usize];
            debug_assert!(s.idle, "agent {agent:?} taken while not idle");
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
    #[inline(always)]
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
/// must return only idle agents of eligible groups, and only queues with a caller
/// waiting that the agent's group may take (see [`Floor::eligible`]).
pub trait Router: fmt::Debug + Send {
    /// An idle agent for a call of `call_type` that has waited `waited_s` (0 on
    /// arrival), or `None` to leave it queued.
    fn agent_for_call(&mut self, floor: &Floor, call_type: usize, waited_s: f64)
    -> Option<AgentId>;

    /// The queue (call type and class) whose head `agent` takes next, or `None` to
    /// leave the agent idle. Called when the agent becomes available; it is not
    /// marked idle on the floor while the router decides.
    fn call_for_agent(
        &mut self,
        floor: &Floor,
        agent: AgentId,
        now_s: f64,
    ) -> Option<(usize, Class)>;
}

/// The longest-idle eligible agent for an arriving (or overflowing) call.
#[inline(always)]
fn longest_idle_agent(floor: &Floor, call_type: usize, waited_s: f64) -> Option<AgentId> {
    let groups = floor.groups_for(call_type);
    if let [g] = groups
        && floor.overflow_groups_for(call_type).is_empty()
    {
        // The common case: one group takes this type.
        return floor.longest_idle(*g as usize).map(|(a, _)| a);
    }
    let mut best: Option<(AgentId, f64)> = None;
    let overflow: &[u32] = if waited_s >= floor.overflow_after_s(call_type) {
        floor.overflow_groups_for(call_type)
    } else {
        &[]
    };
    for &g in groups.iter().chain(overflow) {
        if let Some((a, since)) = floor.longest_idle(g as usize)
            && best.is_none_or(|(_, b)| since < b)
        {
            best = Some((a, since));
        }
    }
    best.map(|(a, _)| a)
}

/// The default ACD policy: an arriving call goes to the eligible agent idle the
/// longest (across groups); a freed agent takes the caller who has waited longest
/// among the queues it may serve, priority callers first.
#[derive(Debug, Clone, Copy, Default)]
pub struct LongestWaiting;

impl Router for LongestWaiting {
    #[inline]
    fn agent_for_call(
        &mut self,
        floor: &Floor,
        call_type: usize,
        waited_s: f64,
    ) -> Option<AgentId> {
        longest_idle_agent(floor, call_type, waited_s)
    }

    #[inline(always)]
    fn call_for_agent(
        &mut self,
        floor: &Floor,
        agent: AgentId,
        now_s: f64,
    ) -> Option<(usize, Class)> {
        let g = floor.group_of(agent);
        let skills = floor.skills_of(g);
        let overflow = floor.overflow_types_of(g);
        if let ([ct], []) = (skills, overflow) {
            // The common case: one queue to look at.
            let ct = *ct as usize;
            return floor.head(ct).map(|(class, _)| (ct, class));
        }
        let mut best: Option<(usize, Class, f64)> = None;
        for (k, &ct) in skills.iter().chain(overflow).enumerate() {
            let ct = ct as usize;
            let Some((class, since)) = floor.head(ct) else {
                continue;
            };
            // Skills are always eligible; overflow types once the wait is long enough.
            if k >= skills.len() && now_s - since < floor.overflow_after_s(ct) {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, bc, bs)) => match (class, bc) {
                    (Class::Priority, Class::Normal) => true,
                    (Class::Normal, Class::Priority) => false,
                    _ => since < bs,
                },
            };
            if better {
                best = Some((ct, class, since));
            }
        }
        best.map(|(ct, c, _)| (ct, c))
    }
}

/// Skill priority: a freed agent serves its primary skill's queue first, then its
/// next skills in order, then the types it takes as overflow; arriving calls go to
/// the longest-idle eligible agent.
#[derive(Debug, Clone, Copy, Default)]
pub struct SkillPriority;

impl Router for SkillPriority {
    fn agent_for_call(
        &mut self,
        floor: &Floor,
        call_type: usize,
        waited_s: f64,
    ) -> Option<AgentId> {
        longest_idle_agent(floor, call_type, waited_s)
    }

    fn call_for_agent(
        &mut self,
        floor: &Floor,
        agent: AgentId,
        now_s: f64,
    ) -> Option<(usize, Class)> {
        let g = floor.group_of(agent);
        floor
            .skills_of(g)
            .iter()
            .chain(floor.overflow_types_of(g))
            .map(|&ct| ct as usize)
            .find_map(|ct| {
                let (class, _) = floor.head(ct)?;
                floor.eligible(g, ct, now_s).then_some((ct, class))
            })
    }
}

/// The engine's router: the built-in policies as an enum, so the event loop calls
/// them directly (and inlines them) rather than through a trait object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Policy {
    LongestWaiting(LongestWaiting),
    SkillPriority(SkillPriority),
}

impl Policy {
    /// A fresh router for `policy` (one per replication).
    pub(crate) fn new(policy: RoutingPolicy) -> Policy {
        match policy {
            RoutingPolicy::LongestWaiting => Policy::LongestWaiting(LongestWaiting),
            RoutingPolicy::SkillPriority => Policy::SkillPriority(SkillPriority),
        }
    }
}

impl Router for Policy {
    #[inline(always)]
    fn agent_for_call(
        &mut self,
        floor: &Floor,
        call_type: usize,
        waited_s: f64,
    ) -> Option<AgentId> {
        match self {
            Policy::LongestWaiting(r) => r.agent_for_call(floor, call_type, waited_s),
            Policy::SkillPriority(r) => r.agent_for_call(floor, call_type, waited_s),
        }
    }

    #[inline(always)]
    fn call_for_agent(
        &mut self,
        floor: &Floor,
        agent: AgentId,
        now_s: f64,
    ) -> Option<(usize, Class)> {
        match self {
            Policy::LongestWaiting(r) => r.call_for_agent(floor, agent, now_s),
            Policy::SkillPriority(r) => r.call_for_agent(floor, agent, now_s),
        }
    }
}

/// A fresh router for `policy` (one per replication).
pub fn router_for(policy: RoutingPolicy) -> Box<dyn Router> {
    match policy {
        RoutingPolicy::LongestWaiting => Box::new(LongestWaiting),
        RoutingPolicy::SkillPriority => Box::new(SkillPriority),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enqueue(floor: &mut Floor, ct: usize, class: Class, arrived_s: f64) {
        floor.queue_mut(ct, class).push_back(Waiting {
            call: CallRef {
                index: 0,
                generation: 0,
            },
            arrived_s,
        });
        floor.waiting[ct] += 1;
    }

    /// Group 0 (2 agents) takes type 0; group 1 (1 agent) takes types 0 and 1.
    fn two_groups() -> Floor {
        let mut f = Floor::new(
            &[0, 0, 1],
            vec![vec![0], vec![0, 1]],
            vec![vec![], vec![]],
            vec![f64::INFINITY; 2],
        );
        for a in 0..3 {
            f.release_agent(AgentId(a), 0.0);
        }
        f
    }

    #[test]
    fn longest_idle_across_groups() {
        let mut f = two_groups();
        let mut r = LongestWaiting;
        assert_eq!(r.agent_for_call(&f, 0, 0.0), Some(AgentId(0)));
        f.take_agent(AgentId(0));
        f.take_agent(AgentId(2));
        f.release_agent(AgentId(2), 5.0);
        f.release_agent(AgentId(0), 7.0);
        assert_eq!(r.agent_for_call(&f, 0, 0.0), Some(AgentId(1)));
        f.take_agent(AgentId(1));
        assert_eq!(r.agent_for_call(&f, 0, 0.0), Some(AgentId(2)));
        assert_eq!(r.agent_for_call(&f, 1, 0.0), Some(AgentId(2)));
        f.take_agent(AgentId(2));
        assert_eq!(r.agent_for_call(&f, 1, 0.0), None);
        assert_eq!(f.idle_in(0), 1);
        assert_eq!(f.idle_in(1), 0);
    }

    #[test]
    fn freed_agent_takes_oldest_caller_priority_first() {
        let mut f = two_groups();
        let mut r = LongestWaiting;
        enqueue(&mut f, 0, Class::Normal, 10.0);
        enqueue(&mut f, 1, Class::Normal, 4.0);
        assert_eq!(
            r.call_for_agent(&f, AgentId(0), 20.0),
            Some((0, Class::Normal))
        );
        assert_eq!(
            r.call_for_agent(&f, AgentId(2), 20.0),
            Some((1, Class::Normal))
        );
        enqueue(&mut f, 0, Class::Priority, 15.0);
        assert_eq!(
            r.call_for_agent(&f, AgentId(2), 20.0),
            Some((0, Class::Priority))
        );
    }

    #[test]
    fn skill_priority_serves_the_primary_skill_first() {
        let mut f = Floor::new(&[0], vec![vec![1, 0]], vec![vec![]], vec![f64::INFINITY; 2]);
        enqueue(&mut f, 0, Class::Normal, 1.0);
        enqueue(&mut f, 1, Class::Normal, 9.0);
        assert_eq!(
            SkillPriority.call_for_agent(&f, AgentId(0), 10.0),
            Some((1, Class::Normal))
        );
        assert_eq!(
            LongestWaiting.call_for_agent(&f, AgentId(0), 10.0),
            Some((0, Class::Normal))
        );
    }

    #[test]
    fn overflow_groups_wait_for_the_threshold() {
        // Group 0 has skill 0; group 1 takes type 0 only after 30 s.
        let mut f = Floor::new(
            &[0, 1],
            vec![vec![0], vec![]],
            vec![vec![], vec![0]],
            vec![30.0],
        );
        f.release_agent(AgentId(1), 0.0);
        let mut r = LongestWaiting;
        assert_eq!(r.agent_for_call(&f, 0, 0.0), None);
        assert_eq!(r.agent_for_call(&f, 0, 30.0), Some(AgentId(1)));
        enqueue(&mut f, 0, Class::Normal, 100.0);
        assert_eq!(r.call_for_agent(&f, AgentId(1), 120.0), None);
        assert_eq!(
            r.call_for_agent(&f, AgentId(1), 130.0),
            Some((0, Class::Normal))
        );
    }

    #[test]
    fn stale_idle_entries_are_skipped() {
        let mut f = Floor::new(&[0, 0, 0], vec![vec![0]], vec![vec![]], vec![f64::INFINITY]);
        for a in 0..3 {
            f.release_agent(AgentId(a), 0.0);
        }
        f.take_agent(AgentId(1));
        f.take_agent(AgentId(0));
        assert_eq!(f.longest_idle(0).map(|x| x.0), Some(AgentId(2)));
        f.release_agent(AgentId(1), 3.0);
        f.take_agent(AgentId(2));
        assert_eq!(f.longest_idle(0).map(|x| x.0), Some(AgentId(1)));
        assert_eq!(f.idle_in(0), 1);
    }
}
