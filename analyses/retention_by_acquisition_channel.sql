-- Weekly retention by acquisition channel (the GA4 channel group of each person's first
-- session, dim_persons.first_touch_channel_group).
-- Worked example for analysts: one row per channel x weeks since first seen (0-4); a person
-- is retained in week N when active on any day 7N..7N+6 days after their first-seen date
-- ("on" retention, like rpt_retention_weekly_first_time_on but cut by channel, with weeks
-- counted from each person's own first day). Only persons whose week N has fully elapsed
-- by the last activity date count in week N's denominator.
with

persons as (
    select
        person_id,
        first_seen_date,
        first_touch_channel_group
    from {{ ref('dim_persons') }}
),

person_days as (
    select
        person_id,
        activity_date
    from {{ ref('fct_person_days') }}
),

data_end as (
    select max(activity_date) as last_activity_date
    from person_days
),

weeks as (
    {%- for week in range(5) %}
        select {{ week }} as week_number
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- persons whose week N lies wholly before the end of the data
eligible as (
    select
        persons.person_id,
        persons.first_touch_channel_group,
        persons.first_seen_date,
        weeks.week_number
    from persons
    cross join weeks
    cross join data_end
    where
        {{ dbt.datediff('persons.first_seen_date', 'data_end.last_activity_date', 'day') }}
        >= weeks.week_number * 7 + 6
),

active_weeks as (
    select distinct
        person_days.person_id,
        cast(
            floor(
                {{ dbt.datediff('persons.first_seen_date', 'person_days.activity_date', 'day') }}
                / 7.0
            ) as {{ dbt.type_int() }}
        ) as week_number
    from person_days
    inner join persons
        on person_days.person_id = persons.person_id
),

final as (
    select
        eligible.first_touch_channel_group,
        eligible.week_number,
        count(*) as n_persons,
        count(active_weeks.person_id) as n_retained,
        {{ safe_divide('count(active_weeks.person_id)', 'count(*)') }} as retention_rate
    from eligible
    left join active_weeks
        on
            eligible.person_id = active_weeks.person_id
            and eligible.week_number = active_weeks.week_number
    group by
        eligible.first_touch_channel_group,
        eligible.week_number
)

select * from final
order by first_touch_channel_group, week_number
