{#- The model inputs of the predictive models, in one place: the columns of
    fct_person_features that int_person_feature_values unpivots (ln(1 + x) of each) and the
    models are fit on. See macros/_macros.yml. -#}
{% macro prediction_features() -%}
    {%- set features = ['days_since_last_active', 'tenure_days', 'engagement_score'] -%}
    {%- for window_days in var('prediction_feature_windows_days') | sort -%}
        {%- for measure in prediction_window_measures() -%}
            {%- do features.append(measure ~ '_' ~ window_days ~ 'd') -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(features) }}
{%- endmacro %}

{#- The measures of each trailing window (var prediction_feature_windows_days): counts and
    amounts, then rates, which describe how a person uses the product whatever their age. -#}
{% macro prediction_window_measures() -%}
    {{ return([
        'active_days', 'sessions', 'engaged_sessions', 'events', 'page_views', 'conversions',
        'revenue', 'features_used', 'feature_uses', 'avg_session_seconds', 'sessions_per_day',
        'events_per_session', 'feature_use_share'
    ]) }}
{%- endmacro %}

{#- The categorical features, one-hot encoded (a term '<column>=<value>' per value seen). -#}
{% macro prediction_categorical_features() -%}
    {{ return(['channel_group', 'device_type']) }}
{%- endmacro %}

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
