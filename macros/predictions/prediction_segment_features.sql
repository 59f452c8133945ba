{#- The features the behavioral segments are clustered on, over the longest window: how often
    (sessions per day), how deep (events per session), what for (the share of feature uses)
    and how broadly (features used). Rates, not counts: a count grows with the person's age
    and the window, so counts cluster persons by when they arrived. -#}
{% macro prediction_segment_features() -%}
    {%- set longest = var('prediction_feature_windows_days') | max -%}
    {%- set features = [] -%}
    {%- for measure in ['sessions_per_day', 'events_per_session', 'feature_use_share', 'features_used'] -%}
        {%- do features.append(measure ~ '_' ~ longest ~ 'd') -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}
