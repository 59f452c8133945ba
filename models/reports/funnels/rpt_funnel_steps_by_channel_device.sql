with

person_funnels as (
    select
        funnel_name,
        person_id,
        entry_session_id
    from {{ ref('fct_person_funnels') }}
),

sessions as (
    select
        session_id,
        channel_group,
        device_type
    from {{ ref('fct_sessions') }}
),

person_funnel_steps as (
    select
        funnel_name,
        person_id,
        step_number,
        seconds_from_previous_step
    from {{ ref('fct_person_funnel_steps') }}
),

funnel_steps as (
    select
        funnel_name,
        step_number,
        step_name,
        step_order
    from {{ ref('funnel_steps') }}
),

person_funnel_entries as (
    select
        person_funnels.funnel_name,
        person_funnels.person_id,
        coalesce(sessions.channel_group, '(not set)') as channel_group,
        coalesce(sessions.device_type, '(not set)') as device_type
    from person_funnels
    inner join sessions
        on person_funnels.entry_session_id = sessions.session_id
),

final as (
    {{ funnel_step_report(
        'person_funnel_entries',
        'person_funnel_steps',
        'funnel_steps',
        ['channel_group', 'device_type']
    ) }}
)

select * from final
