-- The last phase of a run whose completion has been acted on (its next phase enqueued, or the merge):
-- exactly one worker advances a run past each phase (ResultStore.TryAdvance).
alter table impact.runs add column advanced_phase int not null default 0;
