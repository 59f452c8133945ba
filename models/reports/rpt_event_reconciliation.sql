with

raw_rows as (
    select count(*) as n_raw_rows
    from {{ ref('stg_tracking__events') }}
),

quarantined as (
    select count(*) as n_quarantined_rows
    from {{ ref('int_events_quarantined') }}
),

deduplicated as (
    select
        count(*) as n_clean_events,
        coalesce(cast(sum(n_duplicates) as {{ dbt.type_bigint() }}), 0) as n_duplicate_rows,
        coalesce(
            cast(sum(n_conflicting_duplicates) as {{ dbt.type_bigint() }}), 0
        ) as n_conflicting_duplicate_rows
    from {{ ref('int_events_deduplicated') }}
),

sessionized as (
    select count(*) as n_sessionized_events
    from {{ ref('int_events_sessionized') }}
),

final as (
    select
        raw_rows.n_raw_rows,
        deduplicated.n_clean_events,
        quarantined.n_quarantined_rows,
        deduplicated.n_duplicate_rows,
        deduplicated.n_conflicting_duplicate_rows,
        sessionized.n_sessionized_events,
        raw_rows.n_raw_rows
        - deduplicated.n_clean_events
        - quarantined.n_quarantined_rows
        - deduplicated.n_duplicate_rows as n_unaccounted_rows
    from raw_rows
    cross join quarantined
    cross join deduplicated
    cross join sessionized
)

select * from final
