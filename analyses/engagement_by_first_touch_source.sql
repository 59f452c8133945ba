-- Engagement and conversion by the source that first brought each person in.
-- Worked example for analysts: read only marts, one row per first-touch source.
-- Compile with `dbt compile --select engagement_by_first_touch_source` and run the SQL in
-- target/compiled/ against the warehouse (or paste it into any DuckDB client).
with

persons as (
    select
        person_id,
        first_touch_session_source as first_touch_source
    from {{ ref('dim_persons') }}
),

sessions as (
    select
        person_id,
        is_engaged,
        has_conversion,
        revenue
    from {{ ref('fct_sessions') }}
),

final as (
    select
        persons.first_touch_source,
        count(distinct persons.person_id) as n_persons,
        count(*) as n_sessions,
        avg(case when sessions.is_engaged then 1.0 else 0.0 end) as engagement_rate,
        avg(case when sessions.has_conversion then 1.0 else 0.0 end) as session_conversion_rate,
        sum(sessions.revenue) as revenue
    from persons
    inner join sessions
        on persons.person_id = sessions.person_id
    group by persons.first_touch_source
)

select * from final
order by n_persons desc
