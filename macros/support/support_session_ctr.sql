{#- Adds session_ctr and session_ctr_basis to every row of a relation of support sessions
    (columns resources_clicked, n_user_recommendations, session_length_minutes).
    session_ctr = resources_clicked / n_user_recommendations when the user was given
    recommendations ('per_recommendation'), else resources_clicked / session_length_minutes
    ('per_session_minute'); always 64-bit floating point (safe_divide), never integer
    division, null only when the session length is 0. -#}
{% macro support_session_ctr(relation) -%}
    select
        *,
        case
            when n_user_recommendations > 0
                then {{ safe_divide('resources_clicked', 'n_user_recommendations') }}
            else {{ safe_divide('resources_clicked', 'session_length_minutes') }}
        end as session_ctr,
        case
            when n_user_recommendations > 0 then 'per_recommendation'
            else 'per_session_minute'
        end as session_ctr_basis
    from {{ relation }}
{%- endmacro %}
