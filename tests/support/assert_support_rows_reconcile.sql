-- Per support export, every raw row is exactly one of: a clean row or a quarantined row.
-- Raw rows are counted from the source itself, independently of staging.
with

raw_counts as (
    select
        'user_activity' as source_table,
        count(*) as n_raw_rows
    from {{ source('support', 'user_activity') }}
    union all
    select
        'recommendations' as source_table,
        count(*) as n_raw_rows
    from {{ source('support', 'recommendations') }}
    union all
    select
        'moderator_performance' as source_table,
        count(*) as n_raw_rows
    from {{ source('support', 'moderator_performance') }}
),

clean_counts as (
    select
        'user_activity' as source_table,
        count(*) as n_clean_rows
    from {{ ref('stg_support__user_activity') }}
    where invalid_reason is null
    union all
    select
        'recommendations' as source_table,
        count(*) as n_clean_rows
    from {{ ref('stg_support__recommendations') }}
    where invalid_reason is null
    union all
    select
        'moderator_performance' as source_table,
        count(*) as n_clean_rows
    from {{ ref('stg_support__moderator_performance') }}
    where invalid_reason is null
),

quarantined_counts as (
    select
        source_table,
        count(*) as n_quarantined_rows
    from {{ ref('int_support_rows_quarantined') }}
    group by source_table
),

final as (
    select
        raw_counts.source_table,
        raw_counts.n_raw_rows,
        clean_counts.n_clean_rows,
        coalesce(quarantined_counts.n_quarantined_rows, 0) as n_quarantined_rows
    from raw_counts
    inner join clean_counts
        on raw_counts.source_table = clean_counts.source_table
    left join quarantined_counts
        on raw_counts.source_table = quarantined_counts.source_table
)

select * from final
where n_raw_rows != n_clean_rows + n_quarantined_rows
