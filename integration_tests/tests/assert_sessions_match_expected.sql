-- The package's fct_sessions, built in this project from sample_raw_events, holds exactly
-- the sessions of expected_sessions (worked out by hand): the rows of either that the other
-- lacks. u_1's two sessions prove the override session_timeout_minutes: 10 reached the
-- package (at its default, 30, they are one session of 5 events); is_engaged false on
-- sessions longer than 10 s with one page view proves this project's is_engaged_session
-- replaced the package's (GA4's rule counts them engaged).

with

expected as (
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from {{ ref('expected_sessions') }}
),

built as (
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from {{ ref('fct_sessions') }}
),

missing as (
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from expected
    except
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from built
),

unexpected as (
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from built
    except
    select
        person_id,
        started_at,
        n_events,
        is_engaged
    from expected
),

final as (
    select
        'missing' as difference,
        person_id,
        started_at,
        n_events,
        is_engaged
    from missing
    union all
    select
        'unexpected' as difference,
        person_id,
        started_at,
        n_events,
        is_engaged
    from unexpected
)

select * from final
