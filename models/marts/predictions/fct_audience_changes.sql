{#- The entries and exits of audience memberships as events, what `bawh activate` sends to the
    tools that act on them: its ledger records which it sent, so each run sends the changes
    since the last one. -#}
with

memberships as (
    select * from {{ ref('fct_audience_memberships') }}
),

changes as (
    select
        membership_id,
        audience_name,
        person_id,
        'entered' as change_type,
        entered_at as changed_at
    from memberships

    union all

    select
        membership_id,
        audience_name,
        person_id,
        'exited' as change_type,
        exited_at as changed_at
    from memberships
    where exited_at is not null
),

final as (
    select
        {{ surrogate_key(['membership_id', 'change_type']) }} as change_id,
        membership_id,
        audience_name,
        person_id,
        change_type,
        changed_at
    from changes
)

select * from final
