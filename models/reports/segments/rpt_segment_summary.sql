{%- set segments = segment_priority_order() -%}

with

person_segments as (
    select
        person_id,
        as_of_date,
        primary_segment,
        n_sessions_frequency_window
    from {{ ref('dim_person_segments') }}
),

persons as (
    select
        person_id,
        n_sessions,
        engagement_score,
        revenue
    from {{ ref('dim_persons') }}
),

-- every segment of macro segment_priority_order, so a segment nobody is in still has a row
segments as (
    {%- for segment in segments %}
        select
            cast({{ loop.index }} as {{ dbt.type_int() }}) as segment_priority,
            cast('{{ segment.name }}' as {{ dbt.type_string() }}) as primary_segment,
            cast('{{ segment.label }}' as {{ dbt.type_string() }}) as segment_label
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

as_of as (
    select
        max(as_of_date) as as_of_date,
        count(*) as n_persons_total
    from person_segments
),

segment_members as (
    select
        person_segments.primary_segment,
        person_segments.n_sessions_frequency_window,
        persons.n_sessions,
        persons.engagement_score,
        persons.revenue
    from person_segments
    inner join persons
        on person_segments.person_id = persons.person_id
),

segment_totals as (
    select
        primary_segment,
        count(*) as n_persons,
        {{ exact_avg('engagement_score') }} as avg_engagement_score,
        {{ exact_avg('n_sessions') }} as avg_sessions,
        {{ exact_avg('n_sessions_frequency_window') }} as avg_sessions_frequency_window,
        sum(revenue) as revenue
    from segment_members
    group by primary_segment
),

final as (
    select
        segments.segment_priority,
        segments.primary_segment,
        segments.segment_label,
        as_of.as_of_date,
        coalesce(segment_totals.n_persons, 0) as n_persons,
        {{ safe_divide('coalesce(segment_totals.n_persons, 0)', 'as_of.n_persons_total') }}
            as persons_rate,
        segment_totals.avg_engagement_score,
        segment_totals.avg_sessions,
        segment_totals.avg_sessions_frequency_window,
        cast(coalesce(segment_totals.revenue, 0) as decimal(38, 6)) as revenue,
        {{ safe_divide('segment_totals.revenue', 'segment_totals.n_persons') }}
            as revenue_per_person
    from segments
    cross join as_of
    left join segment_totals
        on segments.primary_segment = segment_totals.primary_segment
)

select * from final
