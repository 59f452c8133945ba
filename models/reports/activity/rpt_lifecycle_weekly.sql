{{ lifecycle('week') }}
