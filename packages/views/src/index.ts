// Public surface of @lambda-iot/views.
export type {
  SeriesKey,
  WindowPoint,
  ViewSource,
  SeriesView,
  SpeedView,
  BatchView,
  BatchBoundaryReader,
} from './series-view';
