-- Friction ranks are dense: with the unique and not_null column tests, the ranks of each
-- report are exactly 1..N (smallest 1, largest the row count).
with

page_ranks as (
    select
        'rpt_page_friction' as report,
        count(*) as n_rows,
        min(friction_rank) as min_rank,
        max(friction_rank) as max_rank
    from {{ ref('rpt_page_friction') }}
),

section_ranks as (
    select
        'rpt_page_section_friction' as report,
        count(*) as n_rows,
        min(section_friction_rank) as min_rank,
        max(section_friction_rank) as max_rank
    from {{ ref('rpt_page_section_friction') }}
),

ranks as (
    select * from page_ranks
    union all
    select * from section_ranks
)

select *
from ranks
where n_rows > 0 and (min_rank != 1 or max_rank != n_rows)
