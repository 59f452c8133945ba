-- Every raw row is exactly one of: a clean event, a quarantined row, or a dropped duplicate
-- copy. Counted independently of staging: from the source table, or, from landing files,
-- from the rows loaded (test assert_every_landing_file_is_loaded checks the files).
with

source_rows as (
    select count(*) as n_rows
    {%- if var('raw_events_location') %}
        from {{ ref('base_tracking__landed_events') }}
    {%- else %}
        from {{ source('tracking', 'events') }}
    {%- endif %}
),

clean_events as (
    select
        count(*) as n_rows,
        coalesce(sum(n_duplicates), 0) as n_duplicates
    from {{ ref('int_events_deduplicated') }}
),

quarantined_rows as (
    select count(*) as n_rows
    from {{ ref('int_events_quarantined') }}
)

select
    source_rows.n_rows as n_source_rows,
    clean_events.n_rows as n_clean_events,
    quarantined_rows.n_rows as n_quarantined_rows,
    clean_events.n_duplicates as n_duplicate_rows
from source_rows
cross join clean_events
cross join quarantined_rows
where
    source_rows.n_rows
    != clean_events.n_rows + quarantined_rows.n_rows + clean_events.n_duplicates
