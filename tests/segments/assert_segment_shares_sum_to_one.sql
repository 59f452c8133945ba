-- rpt_segment_summary: the persons of all segments add up to the persons of dim_persons
-- and their shares (persons_rate) to 1; returns the one summary row when either fails.
with

summary as (
    select
        n_persons,
        persons_rate
    from {{ ref('rpt_segment_summary') }}
),

persons as (
    select person_id
    from {{ ref('dim_persons') }}
),

summary_totals as (
    select
        sum(n_persons) as n_persons,
        sum(persons_rate) as total_persons_rate
    from summary
),

person_totals as (
    select count(*) as n_persons
    from persons
),

final as (
    select
        summary_totals.n_persons as n_summary_persons,
        person_totals.n_persons as n_dim_persons,
        summary_totals.total_persons_rate
    from summary_totals
    cross join person_totals
    where
        summary_totals.n_persons != person_totals.n_persons
        or (
            person_totals.n_persons > 0
            and abs(summary_totals.total_persons_rate - 1) > 0.000000001
        )
)

select * from final
