"""Date and time formats of the staff pages (English): 24-hour times, and every date-time with its
zone's abbreviation ("Tue 02 Mar 2027 09:30 EST"), shown in the zone the page activated
(scheduling/zones.py). Input formats stay Django's (e.g. 2027-03-02 09:30)."""

DATE_FORMAT = "D d M Y"
DATETIME_FORMAT = "D d M Y H:i T"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
